"""A client that knows only Roboflow's documented request and response shapes.

Usage: roboflow_client.py BASE_URL API_KEY IMAGE_FILE
Prints one JSON object with what it observed; exits non-zero when a call fails outright.
"""
import base64
import json
import sys

import requests

base, api_key, image_file = sys.argv[1], sys.argv[2], sys.argv[3]
with open(image_file, "rb") as f:
    b64 = base64.b64encode(f.read()).decode("ascii")
seen = {}

# the inference server (inference-sdk's InferenceHTTPClient.infer posts this)
r = requests.post(f"{base}/infer/object_detection", json={
    "model_id": "bright/3",
    "image": {"type": "base64", "value": b64},
    "confidence": 0.5,
    "iou_threshold": 0.45,
    "class_filter": ["bright"],
    "api_key": api_key,
}, timeout=60)
r.raise_for_status()
answer = r.json()
seen["server"] = {
    "image": answer["image"],
    "time_is_number": isinstance(answer["time"], float),
    "predictions": [{k: p[k] for k in ("x", "y", "width", "height", "confidence", "class", "class_id")}
                    for p in answer["predictions"]],
    "detection_ids": len({p["detection_id"] for p in answer["predictions"]}),
}

# a list of images answers a list
r = requests.post(f"{base}/infer/object_detection", json={
    "model_id": "bright/3", "api_key": api_key, "confidence": 0.5, "class_filter": ["bright"],
    "image": [{"type": "base64", "value": b64}, {"type": "base64", "value": b64}],
}, timeout=60)
r.raise_for_status()
seen["batch"] = [len(a["predictions"]) for a in r.json()]

# the hosted API: base64 body, 0-100 thresholds, api_key in the query
r = requests.post(f"{base}/bright/3", params={
    "api_key": api_key, "confidence": 50, "overlap": 45, "classes": "bright",
}, data=b64, headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=60)
r.raise_for_status()
seen["hosted"] = [{k: p[k] for k in ("x", "y", "width", "height", "class")} for p in r.json()["predictions"]]

# refusals keep their documented status codes
seen["wrong_key"] = requests.post(f"{base}/bright/3", params={"api_key": "wrong"}, data=b64, timeout=60).status_code
r = requests.post(f"{base}/infer/object_detection", json={
    "model_id": "bright/3", "api_key": api_key,
    "image": {"type": "url", "value": "https://example.com/image.jpg"},
}, timeout=60)
seen["url_off"] = [r.status_code, r.json()["error"]]
print(json.dumps(seen))
