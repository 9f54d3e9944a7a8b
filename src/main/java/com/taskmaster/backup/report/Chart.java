package com.taskmaster.backup.report;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small time-series chart drawn as inline SVG: lines, points, stacked bars and threshold lines over a time axis,
 * with labelled axes. No script, no external resource: colours come from CSS classes of the page. Every number
 * goes through {@link Format#coord}, which refuses NaN and infinities, and every text through {@link Html#esc}.
 * A chart without data draws its frame and says so instead of plotting nothing.
 */
final class Chart {
    static final int WIDTH = 640;
    static final int HEIGHT = 250;
    private static final int LEFT = 70;
    private static final int RIGHT = 14;
    private static final int TOP = 14;
    private static final int BOTTOM = 34;
    /** A threshold further above the data than this factor is named in words instead of squashing the data flat. */
    private static final double OFF_SCALE = 4;

    enum Unit { BYTES, SECONDS, COUNT }

    /** One value at one time; {@code note} becomes the point's tooltip (points only). */
    record Point(Instant at, double value, String note) {
        Point(Instant at, double value) {
            this(at, value, null);
        }
    }

    /** One bar: a time span and stacked values, bottom up, each drawn with its CSS class. */
    record Bar(Instant from, Instant to, List<Double> values, String note) {
    }

    private record Line(String cssClass, List<Point> points, Duration maxGap) {
    }

    private record Dots(String cssClass, boolean hollow, List<Point> points) {
    }

    private record Threshold(String label, double value, String cssClass) {
    }

    private final String id;
    private final String title;
    private final String description;
    private final Instant from;
    private final Instant to;
    private final Unit unit;
    private final String emptyText;
    private final List<Line> lines = new ArrayList<>();
    private final List<Dots> dots = new ArrayList<>();
    private final List<Threshold> thresholds = new ArrayList<>();
    private List<Bar> bars = List.of();
    private List<String> barClasses = List.of();

    Chart(String id, String title, String description, Instant from, Instant to, Unit unit, String emptyText) {
        this.id = id;
        this.title = title;
        this.description = description;
        this.from = from;
        this.to = to;
        this.unit = unit;
        this.emptyText = emptyText;
    }

    /** A line joining the points in time order, broken where two points are more than {@code maxGap} apart. */
    Chart line(String cssClass, List<Point> points, Duration maxGap) {
        lines.add(new Line(cssClass, inWindow(points), maxGap));
        return this;
    }

    Chart dots(String cssClass, boolean hollow, List<Point> points) {
        dots.add(new Dots(cssClass, hollow, inWindow(points)));
        return this;
    }

    Chart bars(List<String> cssClasses, List<Bar> stacked) {
        this.barClasses = List.copyOf(cssClasses);
        this.bars = stacked.stream().filter(b -> b.to().isAfter(from) && !b.from().isAfter(to)).toList();
        return this;
    }

    Chart threshold(String label, double value, String cssClass) {
        thresholds.add(new Threshold(label, value, cssClass));
        return this;
    }

    private List<Point> inWindow(List<Point> points) {
        return points.stream().filter(p -> !p.at().isBefore(from) && !p.at().isAfter(to)).toList();
    }

    boolean empty() {
        return lines.stream().allMatch(l -> l.points().isEmpty()) && dots.stream().allMatch(d -> d.points().isEmpty()) && bars.isEmpty();
    }

    String svg() {
        double dataMax = dataMax();
        List<Threshold> drawn = new ArrayList<>();
        List<String> offScale = new ArrayList<>();
        for (Threshold t : thresholds) {
            if (dataMax > 0 && t.value() > dataMax * OFF_SCALE) {
                offScale.add(t.label() + " is above this chart (" + times(t.value() / dataMax) + " the largest value)");
            } else {
                drawn.add(t);
            }
        }
        double top = Math.max(dataMax, drawn.stream().mapToDouble(Threshold::value).max().orElse(0)) * 1.08;
        Scale y = Scale.of(top, unit);
        StringBuilder s = new StringBuilder(4096);
        s.append("<svg class=\"chart\" role=\"img\" aria-labelledby=\"").append(id).append("-t ").append(id).append("-d\" viewBox=\"0 0 ")
                .append(WIDTH).append(' ').append(HEIGHT).append("\" xmlns=\"http://www.w3.org/2000/svg\">")
                .append("<title id=\"").append(id).append("-t\">").append(Html.esc(title)).append("</title>")
                .append("<desc id=\"").append(id).append("-d\">").append(Html.esc(description)).append("</desc>");
        // Without data or a threshold there is no scale to speak of: only the zero line.
        axes(s, y, dataMax > 0 || !drawn.isEmpty());
        if (empty()) {
            s.append(text(LEFT + plotWidth() / 2.0, TOP + plotHeight() / 2.0, "middle", "empty", emptyText));
        }
        drawBars(s, y);
        for (Line l : lines) {
            drawLine(s, l, y);
        }
        for (Dots d : dots) {
            drawDots(s, d, y);
        }
        for (Threshold t : drawn) {
            double ty = y(t.value(), y);
            s.append("<line class=\"threshold ").append(Html.esc(t.cssClass())).append("\" x1=\"").append(LEFT).append("\" x2=\"")
                    .append(WIDTH - RIGHT).append("\" y1=\"").append(Format.coord(ty)).append("\" y2=\"").append(Format.coord(ty)).append("\"/>");
            s.append(text(WIDTH - RIGHT - 4, ty - 4, "end", "threshold-label " + t.cssClass(), t.label()));
        }
        for (int i = 0; i < offScale.size(); i++) {
            s.append(text(WIDTH - RIGHT - 4, TOP + 12 + 14 * i, "end", "note", "↑ " + offScale.get(i)));
        }
        return s.append("</svg>").toString();
    }

    private double dataMax() {
        double max = 0;
        for (Line l : lines) {
            max = Math.max(max, l.points().stream().mapToDouble(Point::value).max().orElse(0));
        }
        for (Dots d : dots) {
            max = Math.max(max, d.points().stream().mapToDouble(Point::value).max().orElse(0));
        }
        for (Bar b : bars) {
            max = Math.max(max, b.values().stream().mapToDouble(Double::doubleValue).sum());
        }
        return Double.isFinite(max) ? max : 0;
    }

    private void axes(StringBuilder s, Scale y, boolean withTicks) {
        for (double v = 0; v <= (withTicks ? y.max() + y.step() / 1000 : 0); v += y.step()) {
            double py = y(v, y);
            s.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y1=\"")
                    .append(Format.coord(py)).append("\" y2=\"").append(Format.coord(py)).append("\"/>");
            s.append(text(LEFT - 6, py + 4, "end", "tick", y.label(v)));
        }
        // Month ticks; each month's name sits in the middle of its span, the year under January and the first month.
        ZonedDateTime month = from.atZone(ZoneOffset.UTC).withDayOfMonth(1).toLocalDate().atStartOfDay(ZoneOffset.UTC);
        boolean first = true;
        for (; !month.toInstant().isAfter(to); month = month.plusMonths(1)) {
            double px = x(month.toInstant().isBefore(from) ? from : month.toInstant());
            if (!month.toInstant().isBefore(from)) {
                s.append("<line class=\"tickmark\" x1=\"").append(Format.coord(px)).append("\" x2=\"").append(Format.coord(px))
                        .append("\" y1=\"").append(TOP + plotHeight()).append("\" y2=\"").append(TOP + plotHeight() + 4).append("\"/>");
            }
            Instant end = month.plusMonths(1).toInstant();
            double mid = (px + x(end.isAfter(to) ? to : end)) / 2;
            if (x(end.isAfter(to) ? to : end) - px < 22) {
                continue;
            }
            s.append(text(mid, TOP + plotHeight() + 15, "middle", "tick", month.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH)));
            if (first || month.getMonthValue() == 1) {
                s.append(text(mid, TOP + plotHeight() + 28, "middle", "tick", Integer.toString(month.getYear())));
            }
            first = false;
        }
        s.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y1=\"")
                .append(TOP + plotHeight()).append("\" y2=\"").append(TOP + plotHeight()).append("\"/>");
    }

    private void drawLine(StringBuilder s, Line l, Scale y) {
        List<List<Point>> segments = new ArrayList<>();
        List<Point> current = new ArrayList<>();
        for (Point p : l.points()) {
            if (!current.isEmpty() && Duration.between(current.get(current.size() - 1).at(), p.at()).compareTo(l.maxGap()) > 0) {
                segments.add(current);
                current = new ArrayList<>();
            }
            current.add(p);
        }
        segments.add(current);
        for (List<Point> seg : segments) {
            if (seg.size() == 1) {
                Point p = seg.get(0);
                s.append("<circle class=\"series ").append(Html.esc(l.cssClass())).append("\" r=\"2\" cx=\"")
                        .append(Format.coord(x(p.at()))).append("\" cy=\"").append(Format.coord(y(p.value(), y))).append("\"/>");
            } else if (seg.size() > 1) {
                s.append("<polyline class=\"series line ").append(Html.esc(l.cssClass())).append("\" points=\"");
                for (Point p : seg) {
                    s.append(Format.coord(x(p.at()))).append(',').append(Format.coord(y(p.value(), y))).append(' ');
                }
                s.setLength(s.length() - 1);
                s.append("\"/>");
            }
        }
    }

    private void drawDots(StringBuilder s, Dots d, Scale y) {
        for (Point p : d.points()) {
            s.append("<circle class=\"series dot ").append(Html.esc(d.cssClass())).append(d.hollow() ? " hollow" : "")
                    .append("\" r=\"").append(d.hollow() ? 6 : 3.5).append("\" cx=\"").append(Format.coord(x(p.at())))
                    .append("\" cy=\"").append(Format.coord(y(p.value(), y))).append("\">");
            if (p.note() != null) {
                s.append("<title>").append(Html.esc(p.note())).append("</title>");
            }
            s.append("</circle>");
        }
    }

    private void drawBars(StringBuilder s, Scale y) {
        for (Bar b : bars) {
            double x0 = x(b.from().isBefore(from) ? from : b.from());
            double x1 = Math.max(x0 + 1, x(b.to().isAfter(to) ? to : b.to()) - 1);
            double base = 0;
            for (int i = 0; i < b.values().size() && i < barClasses.size(); i++) {
                double v = b.values().get(i);
                if (v <= 0) {
                    continue;
                }
                double yTop = y(base + v, y);
                double yBottom = y(base, y);
                s.append("<rect class=\"bar ").append(Html.esc(barClasses.get(i))).append("\" x=\"").append(Format.coord(x0))
                        .append("\" y=\"").append(Format.coord(yTop)).append("\" width=\"").append(Format.coord(x1 - x0))
                        .append("\" height=\"").append(Format.coord(Math.max(0.5, yBottom - yTop))).append("\">");
                if (b.note() != null) {
                    s.append("<title>").append(Html.esc(b.note())).append("</title>");
                }
                s.append("</rect>");
                base += v;
            }
        }
    }

    private static String text(double x, double y, String anchor, String cssClass, String content) {
        return "<text class=\"" + Html.esc(cssClass) + "\" x=\"" + Format.coord(x) + "\" y=\"" + Format.coord(y)
                + "\" text-anchor=\"" + anchor + "\">" + Html.esc(content) + "</text>";
    }

    private static String times(double factor) {
        return factor >= 100 ? String.format(Locale.ROOT, "%,.0f×", factor) : String.format(Locale.ROOT, "%.1f×", factor);
    }

    private static int plotWidth() {
        return WIDTH - LEFT - RIGHT;
    }

    private static int plotHeight() {
        return HEIGHT - TOP - BOTTOM;
    }

    private double x(Instant t) {
        double span = Math.max(1, Duration.between(from, to).getSeconds());
        return LEFT + plotWidth() * Duration.between(from, t).getSeconds() / span;
    }

    private static double y(double v, Scale scale) {
        return TOP + plotHeight() * (1 - Math.min(v, scale.max()) / scale.max());
    }

    /** The y axis: a top value and a round step in a unit people read (MiB, minutes, ...). */
    record Scale(double max, double step, double unitSize, String unitName, Unit unit) {
        static Scale of(double top, Unit unit) {
            double unitSize = 1;
            String unitName = "";
            if (unit == Unit.BYTES) {
                String[] names = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
                int k = 0;
                while (top / unitSize >= 1024 && k < names.length - 1) {
                    unitSize *= 1024;
                    k++;
                }
                unitName = names[k];
            } else if (unit == Unit.SECONDS) {
                unitSize = top >= 2 * 86_400 ? 86_400 : top >= 2 * 3600 ? 3600 : top >= 120 ? 60 : 1;
                unitName = unitSize == 86_400 ? "d" : unitSize == 3600 ? "h" : unitSize == 60 ? "min" : "s";
            }
            double inUnits = top / unitSize;
            if (!(inUnits > 0)) {
                inUnits = 1;
            }
            double raw = inUnits / 4;
            double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
            double step = magnitude;
            for (double m : new double[]{1, 2, 2.5, 5, 10}) {
                if (m * magnitude >= raw) {
                    step = m * magnitude;
                    break;
                }
            }
            if (unit == Unit.COUNT || unit == Unit.BYTES && unitSize == 1) {
                step = Math.max(1, Math.ceil(step));
            }
            double max = Math.ceil(inUnits / step) * step;
            return new Scale(max * unitSize, step * unitSize, unitSize, unitName, unit);
        }

        String label(double v) {
            double inUnits = v / unitSize;
            String n = inUnits == Math.rint(inUnits) ? String.format(Locale.ROOT, "%.0f", inUnits)
                    : String.format(Locale.ROOT, "%.1f", inUnits);
            return unitName.isEmpty() || v == 0 ? n : n + " " + unitName;
        }
    }
}
