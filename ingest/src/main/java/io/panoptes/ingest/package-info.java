/**
 * The ingest role: decodes video sources (files, RTSP/RTMP/HTTP streams, webcams, images) into
 * {@code Frame} records on the frames topic, adapting its rate to the workers' lag. The sources
 * land with the ingest issue; this module fixes its place in the build.
 */
package io.panoptes.ingest;
