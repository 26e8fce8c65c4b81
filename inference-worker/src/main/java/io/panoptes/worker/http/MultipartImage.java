package io.panoptes.worker.http;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.fileupload2.core.MultipartInput;
import org.apache.commons.fileupload2.core.ParameterParser;

/**
 * The image part of a {@code multipart/form-data} body (Apache Commons FileUpload parses it): the
 * part named {@code image} or {@code file}, else the first part that carries a file name. The body
 * was already read within the size cap, so parsing is bounded too.
 */
final class MultipartImage {

    private static final int MAX_PART_HEADERS = 8 * 1024;

    private MultipartImage() {}

    /** Whether {@code contentType} announces a multipart/form-data body. */
    static boolean isMultipart(String contentType) {
        return contentType != null
                && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
    }

    /**
     * The image's bytes.
     *
     * @throws IllegalArgumentException naming what is wrong: no boundary, a malformed body, no
     *     image part
     */
    static byte[] extract(String contentType, byte[] body) {
        String boundary = parameters(contentType).get("boundary");
        if (boundary == null || boundary.isEmpty()) {
            throw new IllegalArgumentException(
                    "the multipart Content-Type has no boundary parameter");
        }
        try {
            MultipartInput input =
                    MultipartInput.builder()
                            .setInputStream(new ByteArrayInputStream(body))
                            .setBoundary(boundary.getBytes(StandardCharsets.ISO_8859_1))
                            .setPartHeaderSizeMax(MAX_PART_HEADERS)
                            .get();
            boolean more = input.skipPreamble();
            if (!more) {
                throw new IllegalArgumentException(
                        "the multipart body has no part delimited by its boundary '"
                                + boundary
                                + "'");
            }
            byte[] firstFile = null;
            while (more) {
                Map<String, String> disposition = disposition(input.readHeaders());
                String name = disposition.getOrDefault("name", "");
                if (name.equals("image") || name.equals("file")) {
                    return read(input);
                }
                if (firstFile == null && disposition.containsKey("filename")) {
                    firstFile = read(input);
                } else {
                    input.discardBodyData();
                }
                more = input.readBoundary();
            }
            return Optional.ofNullable(firstFile)
                    .orElseThrow(
                            () ->
                                    new IllegalArgumentException(
                                            "the multipart body has no image: send it in a part named 'image'"));
        } catch (IOException e) { // FileUpload's MalformedStreamException and size exceptions are
            // IOExceptions
            throw new IllegalArgumentException(
                    "the multipart body is malformed: " + e.getMessage(), e);
        }
    }

    private static byte[] read(MultipartInput input) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        input.readBodyData(out);
        return out.toByteArray();
    }

    /** The Content-Disposition parameters of a part's headers (name, filename). */
    private static Map<String, String> disposition(String headers) {
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0
                    && line.substring(0, colon).trim().equalsIgnoreCase("Content-Disposition")) {
                return parameters(line.substring(colon + 1));
            }
        }
        return Map.of();
    }

    private static Map<String, String> parameters(String header) {
        ParameterParser parser = new ParameterParser();
        parser.setLowerCaseNames(true);
        return parser.parse(header, new char[] {';', ','});
    }
}
