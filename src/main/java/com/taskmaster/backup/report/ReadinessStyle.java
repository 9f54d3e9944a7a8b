package com.taskmaster.backup.report;

/**
 * The page's only style sheet, inline. Colours were chosen for contrast (WCAG AA, at least 4.5:1 for text: the
 * status marks are white on green, red or grey), and every mark also carries a symbol and a word, so the page
 * still reads in black and white. System fonts only: nothing is fetched.
 */
final class ReadinessStyle {
    private ReadinessStyle() {
    }

    static final String OK = "#1a7f37";
    static final String FAIL = "#b42318";
    static final String NONE = "#57606a";
    static final String MARK_TEXT = "#ffffff";

    static final String CSS = """
            :root{color-scheme:light}
            *{box-sizing:border-box}
            body{margin:0;background:#f6f8fa;color:#1f2328;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans","DejaVu Sans",Arial,sans-serif}
            main{max-width:1360px;margin:0 auto;padding:20px 24px 40px}
            h1{font-size:26px;margin:0 0 4px}
            h1 .db{font-weight:400;color:#424a53}
            h2{font-size:19px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid #d0d7de}
            h3{font-size:15px;margin:0}
            code{font:13px ui-monospace,"DejaVu Sans Mono","Liberation Mono",monospace;overflow-wrap:anywhere}
            .meta{color:#424a53;margin:0 0 14px}
            .mark{display:inline-block;min-width:5.2em;padding:3px 9px;border-radius:4px;font-weight:700;font-size:14px;text-align:center;white-space:nowrap;print-color-adjust:exact;-webkit-print-color-adjust:exact}
            .mark.small{min-width:0;padding:1px 6px;font-size:12px}
            .mark.ok{color:%1$s;background:%2$s}
            .mark.fail{color:%1$s;background:%3$s}
            .mark.none{color:%1$s;background:%4$s}
            .verdict{display:flex;align-items:center;gap:16px;padding:14px 18px;border-radius:6px;border:2px solid;margin:8px 0 6px}
            .verdict .mark{font-size:20px;padding:6px 14px;flex:none}
            .verdict p{margin:0;font-size:17px}
            .verdict.ok{border-color:%2$s;background:#eef8f1}
            .verdict.fail{border-color:%3$s;background:#fdf0ef}
            .status{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(410px,1fr));gap:10px}
            .check{display:flex;gap:12px;align-items:flex-start;background:#fff;border:1px solid #d0d7de;border-left:6px solid;border-radius:6px;padding:10px 12px}
            .check.ok{border-left-color:%2$s}
            .check.fail{border-left-color:%3$s}
            .check.none{border-left-color:%4$s}
            .check .headline{margin:2px 0;font-weight:600}
            .check .reason{margin:0;color:#424a53;font-size:13px;overflow-wrap:anywhere}
            table{border-collapse:collapse;background:#fff;margin:6px 0 10px;font-size:13px;width:100%%}
            caption{text-align:left;color:#424a53;padding:4px 0;caption-side:top}
            th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
            thead th{background:#eaeef2}
            tbody th{font-weight:400}
            .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            tr.bad td,tr.bad th{background:#fdf0ef}
            .bad-text{color:%3$s}
            table.compact{width:auto}
            .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:14px}
            figure{margin:0;background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 12px}
            figcaption p{margin:4px 0 0;font-size:13px;color:#424a53}
            svg.chart{width:100%%;height:auto;display:block;margin-top:4px}
            svg .grid{stroke:#e6eaef;stroke-width:1}
            svg .axis{stroke:#8c959f;stroke-width:1}
            svg .tickmark{stroke:#8c959f}
            svg text{font:11px system-ui,"Liberation Sans","DejaVu Sans",sans-serif;fill:#57606a}
            svg .empty{font-size:15px;fill:#57606a}
            svg .note{fill:%3$s}
            svg .threshold{stroke-width:1.6;stroke-dasharray:7 4}
            svg .threshold.rto{stroke:%3$s}
            svg .threshold.limit{stroke:#57606a}
            svg .threshold-label.rto{fill:%3$s}
            svg .threshold-label.limit{fill:#424a53}
            svg .line{fill:none;stroke-width:1.8;stroke-linejoin:round}
            svg .line.stored{stroke-dasharray:4 2}
            .plain{stroke:#0969da;fill:#0969da;background:#0969da}
            .stored{stroke:#8250df;fill:#8250df;background:#8250df}
            .duration,.gap,.measured{stroke:#0969da;fill:#0969da;background:#0969da}
            .estimated{stroke:#bc4c00;fill:#bc4c00;background:#bc4c00}
            svg .dot.hollow{fill:#fff;stroke-width:2}
            .passed{fill:#2da44e;background:#2da44e}
            .failed{fill:#cf222e;background:#cf222e}
            .error{fill:#bf8700;background:#bf8700}
            .tier0{fill:#0969da;background:#0969da}.tier1{fill:#8250df;background:#8250df}.tier2{fill:#bf8700;background:#bf8700}
            .tier3{fill:#1b7c83;background:#1b7c83}.tier4{fill:#cf222e;background:#cf222e}.tier5{fill:#57606a;background:#57606a}
            .rto{background:%3$s}.limit{background:#57606a}
            .legend{list-style:none;padding:0;margin:4px 0 0;display:flex;flex-wrap:wrap;gap:4px 16px;font-size:13px}
            .key{display:inline-block;width:14px;height:10px;margin-right:5px;vertical-align:middle}
            .key.line{height:3px}.key.dash{height:0;border-top:3px dashed;background:none!important}
            .key.dash.rto{border-color:%3$s}.key.dash.limit{border-color:#57606a}
            .key.dot{width:9px;height:9px;border-radius:50%%}.key.ring{width:10px;height:10px;border-radius:50%%;border:2px solid #bc4c00;background:#fff!important}
            .empty{color:#424a53;font-style:italic}
            details summary{cursor:pointer;margin:6px 0}
            footer{margin-top:30px;color:#424a53;font-size:12px;border-top:1px solid #d0d7de}
            @page{size:A4;margin:12mm}
            @media print{
              body{background:#fff;font-size:11px}
              main{max-width:none;padding:0}
              .charts{grid-template-columns:1fr}
              .status{grid-template-columns:1fr 1fr}
              .check .headline{font-size:12px}
              .check .reason,figcaption p,.legend{font-size:10px}
              figure{padding:6px 10px}
              figure,.check,tr,.verdict{break-inside:avoid}
              h2{break-after:avoid}
              table{font-size:10px}
            }
            """.formatted(MARK_TEXT, OK, FAIL, NONE);
}
