/**
 * The aggregator role: a Kafka Streams topology over the detections topic that tracks objects,
 * evaluates zones and lines, and emits windowed counts and rule events. The topology lands with
 * the aggregator issue; this module fixes its place in the build.
 */
package io.panoptes.aggregator;
