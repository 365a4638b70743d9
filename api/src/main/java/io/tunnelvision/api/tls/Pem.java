package io.tunnelvision.api.tls;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PEM blocks of a text (RFC 7468): each label with its DER bytes. Text between blocks, such as the
 * {@code Bag Attributes} openssl writes, is ignored; a block cut short is an error, not a silent omission.
 */
final class Pem {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)\\s*-----END \\1-----");
    private static final Pattern BEGIN = Pattern.compile("-----BEGIN ");

    /** One block; {@code der} is never printed, as it may be a private key. */
    record Block(String label, byte[] der) {

        @Override
        public String toString() {
            return "Block[" + label + ", " + der.length + " bytes]";
        }
    }

    private Pem() {
    }

    /** Every block in order; throws IllegalArgumentException when a block cannot be read whole. */
    static List<Block> blocks(String text) {
        List<Block> blocks = new ArrayList<>();
        Matcher block = BLOCK.matcher(text);
        while (block.find()) {
            try {
                blocks.add(new Block(block.group(1), Base64.getMimeDecoder().decode(block.group(2))));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("its " + block.group(1) + " block is not valid base64", e);
            }
        }
        if (BEGIN.matcher(text).results().count() != blocks.size()) {
            throw new IllegalArgumentException("it has a PEM block that is cut short, has no matching END line"
                    + " or carries headers (as a legacy encrypted key does)");
        }
        return blocks;
    }
}
