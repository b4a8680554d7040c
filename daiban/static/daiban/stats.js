/* The statistics dashboard's charts (ECharts, served by the app); data from the page's json_script. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var pct = function (list) { return list.map(function (v) { return v === null ? null : Math.round(v * 1000) / 10; }); };
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = window.echarts.init(el);
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  chart("chart-trend", {tooltip: {trigger: "axis"}, legend: {data: ["收到", "代办率%", "满意率%"]}, grid: {left: 60, right: 40, bottom: 30},
    xAxis: {type: "category", data: data.trend.months}, yAxis: [{type: "value", name: "件"}, {type: "value", name: "%", max: 100}],
    series: [{name: "收到", type: "bar", data: data.trend.received}, {name: "代办率%", type: "line", yAxisIndex: 1, data: pct(data.trend.agency_rate)},
             {name: "满意率%", type: "line", yAxisIndex: 1, data: pct(data.trend.satisfaction_rate)}]});
  chart("chart-channel", {tooltip: {trigger: "item"}, series: [{type: "pie", radius: ["35%", "65%"], data: data.channel}]});
  chart("chart-category", {tooltip: {}, grid: {left: 40, right: 10, bottom: 50}, xAxis: {type: "category", data: data.category.names, axisLabel: {rotate: 30}},
    yAxis: {type: "value"}, series: [{type: "bar", data: data.category.values}]});
  chart("chart-departments", {tooltip: {trigger: "axis"}, legend: {data: ["按期率%", "催办"]}, grid: {left: 40, right: 40, bottom: 60},
    xAxis: {type: "category", data: data.departments.names, axisLabel: {rotate: 30}}, yAxis: [{type: "value", max: 100}, {type: "value"}],
    series: [{name: "按期率%", type: "bar", data: pct(data.departments.on_time)}, {name: "催办", type: "line", yAxisIndex: 1, data: data.departments.urgings}]});
})();
