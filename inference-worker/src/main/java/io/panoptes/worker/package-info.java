/**
 * The inference-worker role: consumes the frames topic in a consumer group, runs detection models
 * with ONNX Runtime and produces exactly one {@code Detections} record per frame. The worker lands
 * with the worker issue; this module fixes its place in the build.
 */
package io.panoptes.worker;
