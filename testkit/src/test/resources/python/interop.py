#!/usr/bin/python3
"""Another language against the Panoptes topic contract.

Produces one Frame (string key, Avro value through the schema registry) and reads the Detections
that Java wrote, printing them as one JSON line per record on stdout.

usage: interop.py BOOTSTRAP REGISTRY_URL FRAMES_TOPIC DETECTIONS_TOPIC FRAME_SCHEMA_FILE

Uses Debian's python3-confluent-kafka: a plain Producer/Consumer with UTF-8 keys, and
confluent_kafka.avro's MessageSerializer + CachedSchemaRegistryClient for values (the legacy
AvroProducer insists on Avro keys; the newer serializer needs fastavro, which Debian lacks).
"""
import datetime
import json
import sys
import time

from avro import schema as avro_schema
from confluent_kafka import Consumer, Producer
from confluent_kafka.avro import CachedSchemaRegistryClient
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer


def main(bootstrap, registry_url, frames_topic, detections_topic, schema_file):
    registry = CachedSchemaRegistryClient({"url": registry_url})
    serde = MessageSerializer(registry)
    with open(schema_file) as f:
        frame_schema = avro_schema.parse(f.read())

    now = datetime.datetime.now(tz=datetime.timezone.utc)
    frame = {
        "streamId": "py-cam", "epoch": 1764000000000, "seq": 41, "sourceKind": "FILE",
        "captureTime": now, "ingestTime": now, "width": 2, "height": 1, "encoding": "RAW_BGR24",
        "payload": bytes([0, 0, 255, 255, 0, 0]), "payloadRef": None, "source": "file:///python.raw",
        "pipelineId": "py-pipeline", "modelId": None, "endOfStream": False,
    }
    producer = Producer({"bootstrap.servers": bootstrap})
    producer.produce(frames_topic, key="py-cam".encode("utf-8"),
                     value=serde.encode_record_with_schema(frames_topic, frame_schema, frame))
    if producer.flush(30) != 0:
        sys.exit("frame not delivered within 30 s")

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "python-interop-%d" % time.time_ns(),
                         "auto.offset.reset": "earliest", "isolation.level": "read_committed"})
    consumer.subscribe([detections_topic])
    deadline = time.time() + 30
    try:
        while time.time() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                sys.exit("consumer error: %s" % msg.error())
            value = serde.decode_message(msg.value())
            print(json.dumps({"key": msg.key().decode("utf-8"), "value": value}, default=str), flush=True)
            return
    finally:
        consumer.close()
    sys.exit("no detections record within 30 s")


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    main(*sys.argv[1:])
