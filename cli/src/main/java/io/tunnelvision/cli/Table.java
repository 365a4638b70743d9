package io.tunnelvision.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A plain-text table: columns as wide as their widest cell, two spaces apart, empty cells shown as '-'. */
public final class Table {

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... header) {
        this.header = List.of(header);
    }

    public Table row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + header.size() + " columns");
        }
        rows.add(Arrays.stream(cells).map(Table::text).toList());
        return this;
    }

    public int size() {
        return rows.size();
    }

    public String render() {
        int[] widths = new int[header.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = header.get(c).length();
            for (List<String> row : rows) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, header, widths);
        rows.forEach(row -> line(out, row, widths));
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            line.append(c == cells.size() - 1 ? cells.get(c) : pad(cells.get(c), widths[c])).append(c == cells.size()
                    - 1 ? "" : "  ");
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(width - text.length());
    }

    private static String text(Object cell) {
        if (cell == null) {
            return "-";
        }
        String text = cell.toString().replaceAll("[\\p{Cntrl}]", " ");
        return text.isEmpty() ? "-" : text;
    }
}
