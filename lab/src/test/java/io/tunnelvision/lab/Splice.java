package io.tunnelvision.lab;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** Copies bytes both ways between two connected stream sockets until either side closes, then closes both. */
final class Splice {

    private Splice() {
    }

    static void start(SocketChannel left, SocketChannel right, String name) {
        Thread there = new Thread(() -> copy(left, right), name + "->");
        Thread back = new Thread(() -> copy(right, left), name + "<-");
        there.setDaemon(true);
        back.setDaemon(true);
        there.start();
        back.start();
    }

    private static void copy(SocketChannel from, SocketChannel to) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    to.write(buffer);
                }
                buffer.clear();
            }
        } catch (IOException e) {
            // the other direction or a close ended the connection
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing
        }
    }
}
