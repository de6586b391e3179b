/* recorder report: the filtered, paged case list, the timeline and the history charts.
   Everything it draws comes from the JSON embedded in the page; it fetches nothing. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var COLORS = {passed: "#009E73", failed: "#D55E00", error: "#CC79A7", skipped: "#8a8a8a",
    xfailed: "#56B4E9", xpassed: "#E69F00", flaky: "#F0E442", incomplete: "#0072B2",
    not_run: "#c8c8c8"};
  var SYMBOLS = {passed: "\u2713", failed: "\u2717", error: "\u26a0", skipped: "\u21b7",
    xfailed: "\u2298", xpassed: "\u2605", flaky: "\u223f", incomplete: "\u2026",
    not_run: "\u25cb"};
  var PAGE = 100;

  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"}[c];
    });
  }
  function duration(ms) {
    if (ms === null || ms === undefined) { return "unknown"; }
    if (ms < 0.5) { return "<1 ms"; }
    if (ms < 999.5) { return Math.round(ms) + " ms"; }
    return (ms / 1000).toFixed(2) + " s";
  }

  /* -- the case list ---------------------------------------------------------------- */
  var cases = data.cases;
  cases.id = cases.n.map(function (name, i) {
    return cases.sx[i] >= 0 ? cases.suites[cases.sx[i]] + "::" + name : name;
  });
  var names = cases.statuses;
  var lowered = null;
  var page = 0;
  var matching = [];

  function enabledStatuses() {
    var on = {};
    document.querySelectorAll("input[name=status]").forEach(function (box) {
      on[box.value] = box.checked;
    });
    return on;
  }
  function refilter() {
    var on = enabledStatuses();
    var query = document.getElementById("search").value.trim().toLowerCase();
    if (query && lowered === null) { lowered = cases.id.map(function (id) { return id.toLowerCase(); }); }
    matching = [];
    for (var i = 0; i < cases.id.length; i++) {
      if (on[names[cases.st[i]]] && (!query || lowered[i].indexOf(query) !== -1)) { matching.push(i); }
    }
    document.querySelectorAll("article.case, .slowest > li").forEach(function (el) {
      var id = el.getAttribute("data-case-id") || el.querySelector("code").textContent;
      el.hidden = !on[el.getAttribute("data-status")] ||
        (query !== "" && id.toLowerCase().indexOf(query) === -1);
    });
    page = 0;
    draw();
  }
  function draw() {
    var pages = Math.max(1, Math.ceil(matching.length / PAGE));
    page = Math.min(Math.max(page, 0), pages - 1);
    var start = page * PAGE, end = Math.min(start + PAGE, matching.length), rows = [];
    for (var k = start; k < end; k++) {
      var i = matching[k], status = names[cases.st[i]], id = escapeHtml(cases.id[i]);
      var label = cases.a[i] ? "<a href=\"#" + cases.a[i] + "\"><code>" + id + "</code></a>"
        : "<code>" + id + "</code>";
      rows.push("<tr data-status=\"" + status + "\"><td><span class=\"badge s-" + status +
        "\"><span aria-hidden=\"true\">" + SYMBOLS[status] + "</span> " +
        status.replace("_", " ") + "</span></td><td>" + label + "</td><td class=num>" +
        duration(cases.ms[i]) + "</td></tr>");
    }
    document.getElementById("case-rows").innerHTML = rows.join("");
    document.getElementById("shown").textContent = matching.length ?
      "Showing " + (start + 1) + "\u2013" + end + " of " + matching.length + " matching cases (" +
      cases.id.length + " in the run), page " + (page + 1) + " of " + pages + "." :
      "No case matches (" + cases.id.length + " in the run).";
    document.getElementById("prev").disabled = page === 0;
    document.getElementById("next").disabled = page >= pages - 1;
  }
  document.querySelectorAll("input[name=status]").forEach(function (box) {
    box.addEventListener("change", refilter);
  });
  document.getElementById("search").addEventListener("input", refilter);
  document.getElementById("prev").addEventListener("click", function () { page--; draw(); });
  document.getElementById("next").addEventListener("click", function () { page++; draw(); });
  refilter();

  /* -- charts (BokehJS) ------------------------------------------------------------- */
  if (!window.Bokeh) { return; }
  var plt = Bokeh.Plotting;
  function show(figure, element) {
    return plt.show(figure, element).then(function () { element.setAttribute("data-rendered", "1"); });
  }

  var t = data.timeline;
  var lanes = document.getElementById("chart-timeline");
  if (t.s.length) {
    var workers = t.workers, lane = [], left = [], right = [], fill = [], ids = [], st = [];
    for (var j = 0; j < t.s.length; j++) {
      lane.push(workers[t.w[j]]); left.push(t.s[j]); right.push(t.s[j] + t.d[j]);
      st.push(names[t.st[j]]); fill.push(COLORS[names[t.st[j]]] || "#999"); ids.push(cases.id[t.c[j]]);
    }
    var source = new Bokeh.ColumnDataSource({data: {lane: lane, left: left, right: right,
      fill: fill, id: ids, status: st, d: t.d}});
    var timeline = plt.figure({height: Math.max(160, 48 * workers.length + 80), sizing_mode: "stretch_width",
      y_range: new Bokeh.FactorRange({factors: workers.slice().reverse()}),
      x_axis_label: "seconds from the run's start", tools: "xpan,xwheel_zoom,reset"});
    timeline.add_tools(new Bokeh.HoverTool({tooltips: [["case", "@id"], ["status", "@status"],
      ["duration (s)", "@d"]]}));
    timeline.hbar({y: {field: "lane"}, left: {field: "left"}, right: {field: "right"}, height: 0.7,
      fill_color: {field: "fill"}, line_color: "#333333", line_width: 0.3, source: source});
    show(timeline, lanes);
  } else {
    lanes.textContent = "No case ran.";
    lanes.className += " empty";
  }

  var h = data.history;
  if (!h) { return; }
  var x = h.runs.map(function (_, i) { return i + 1; });
  function trend(elementId, values, label, color) {
    var element = document.getElementById(elementId);
    var src = new Bokeh.ColumnDataSource({data: {x: x, y: values, run: h.runs, commit: h.commits,
      failed: h.failed}});
    var fig = plt.figure({height: 240, sizing_mode: "stretch_width", x_axis_label: "run (oldest first)",
      y_axis_label: label, tools: "pan,wheel_zoom,reset"});
    fig.add_tools(new Bokeh.HoverTool({tooltips: [["run", "@run"], ["commit", "@commit"],
      [label, "@y"], ["failing cases", "@failed"]]}));
    fig.line({field: "x"}, {field: "y"}, {source: src, line_width: 2, line_color: color});
    fig.scatter({field: "x"}, {field: "y"}, {source: src, size: 6, fill_color: color, line_color: color});
    return show(fig, element);
  }
  trend("chart-pass-rate", h.pass_rate.map(function (v) { return v === null ? NaN : v * 100; }),
    "pass rate %", "#0072B2");
  trend("chart-duration", h.duration.map(function (v) { return v === null ? NaN : v; }),
    "duration s", "#D55E00");

  function sparkline(element) {
    var series = h.tests[element.getAttribute("data-test")];
    if (!series || element.hasAttribute("data-rendered")) { return; }
    var xs = series.d.map(function (_, i) { return i + 1; });
    var fx = [], fy = [];
    series.f.forEach(function (failed, i) { if (failed) { fx.push(i + 1); fy.push(series.d[i] || 0); } });
    var fig = plt.figure({width: 170, height: 40, toolbar_location: null, x_axis_type: null,
      y_axis_type: null, min_border: 2, outline_line_color: null});
    fig.xgrid.grid_line_color = null; fig.ygrid.grid_line_color = null;
    fig.line(xs, series.d.map(function (v) { return v === null ? NaN : v; }), {line_width: 1.5, line_color: "#0072B2"});
    if (fx.length) { fig.scatter(fx, fy, {marker: "x", size: 7, line_color: "#D55E00", line_width: 2}); }
    show(fig, element);
  }
  var sparks = document.querySelectorAll(".spark[data-test]");
  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { observer.unobserve(entry.target); sparkline(entry.target); }
      });
    }, {rootMargin: "200px"});
    sparks.forEach(function (element) { observer.observe(element); });
  } else {
    sparks.forEach(sparkline);
  }
}());
