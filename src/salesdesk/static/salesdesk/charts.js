// The charts page: each [data-chart] box draws the figure in the JSON block it names
// ({labels, series: [{name, data, unit, stack, tone}], total, kind}). No inline scripts.
(() => {
  if (!window.echarts) return;
  const DANGER = "#dc3545";
  const money = (v) =>
    Number(v).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  // Axis ticks in the page's language: 1.2万 in Chinese, 12K in English.
  const compact = new Intl.NumberFormat(document.documentElement.lang || undefined, { notation: "compact" });
  const short = (v) => compact.format(v);
  // Braces would be read as rich-text markup in the tooltip: show them as full-width ones.
  const plain = (s) => String(s).replace(/[{}]/g, (c) => (c === "{" ? "｛" : "｝"));

  function series(figure, horizontal) {
    return figure.series.map((s) => {
      const count = s.unit === "count";
      const out = {
        name: s.name,
        type: count ? "line" : "bar",
        data: s.data.map(Number),
        emphasis: { focus: "series" },
      };
      if (s.stack) out.stack = s.stack;
      if (s.tone === "danger") out.itemStyle = { color: DANGER };
      if (count) {
        out.yAxisIndex = 1;
        out.symbolSize = 8;
        out.lineStyle = { type: "dashed" };
      }
      if (!count) out.barMaxWidth = horizontal ? 28 : 48;
      return out;
    });
  }

  // The tooltip is drawn on the canvas (rich text), not as HTML: the page's CSP refuses the
  // inline styles of HTML tooltips, and names stay text whatever they contain.
  function tooltip(params) {
    const items = Array.isArray(params) ? params : [params];
    const lines = items.map((p) => {
      const shown = p.seriesType === "line" ? String(p.value) : money(p.value);
      return `${p.marker}${plain(p.seriesName)}: ${shown}`;
    });
    return [plain(items[0].name), ...lines].join("\n");
  }

  function option(figure) {
    const horizontal = figure.kind === "hbar";
    const counts = figure.series.some((s) => s.unit === "count");
    const category = {
      type: "category",
      data: figure.labels,
      axisLabel: horizontal ? { width: 160, overflow: "truncate" } : { hideOverlap: true },
    };
    const values = [{ type: "value", axisLabel: { formatter: short } }];
    if (counts) values.push({ type: "value", minInterval: 1, splitLine: { show: false } });
    if (horizontal) category.inverse = true; // the biggest first, at the top
    return {
      aria: { enabled: true },
      animation: false,
      grid: { left: 8, right: 16, top: figure.series.length > 1 ? 36 : 12, bottom: 8, containLabel: true },
      legend: { show: figure.series.length > 1, type: "scroll", top: 0 },
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" }, formatter: tooltip },
      xAxis: horizontal ? values[0] : category,
      yAxis: horizontal ? category : values,
      series: series(figure, horizontal),
    };
  }

  const drawn = [];
  document.querySelectorAll("[data-chart]").forEach((box) => {
    const source = document.getElementById(box.dataset.chart);
    if (!source) return;
    const chart = window.echarts.init(box, null, { renderer: "canvas" });
    chart.setOption(option(JSON.parse(source.textContent)));
    drawn.push(chart);
  });
  const resize = () => drawn.forEach((chart) => chart.resize());
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
})();
