package io.tunnelvision.api.ingest;

import org.apache.avro.specific.SpecificRecord;

/** One decoded, validated record waiting to be written. */
public record Item(Source source, SpecificRecord value) {
}
