// Charts drawn with Apache ECharts (static/vendor/echarts.min.js) from data- attributes: the CSP
// allows no inline script, so a page marks a container and this file draws it. Every chart has the
// same numbers in a table beside it (for screen readers, printing and tests).
//
//   <div data-chart="bar" data-labels='["一中队", "二中队"]' data-values='[80, 45]'
//        data-suffix="%" data-max="100" data-name="完成率"></div>
//
// "bar" draws horizontal bars, one per label, the first at the top; a value at data-max is green.
// "column" draws vertical bars left to right (a distribution: data-labels are the bands, data-values
// the counts, data-name names the series in the tooltip).
(function () {
  if (!window.echarts) { return; }
  var font = window.getComputedStyle(document.body).fontFamily;
  var charts = [];

  function read(element, name, fallback) {
    try { return JSON.parse(element.getAttribute(name)); } catch (error) { return fallback; }
  }

  function barOption(element) {
    var labels = read(element, 'data-labels', []);
    var values = read(element, 'data-values', []);
    var suffix = element.getAttribute('data-suffix') || '';
    var max = element.hasAttribute('data-max') ? Number(element.getAttribute('data-max')) : null;
    var width = element.clientWidth || 600;
    return {
      textStyle: {fontFamily: font},
      animation: false,
      grid: {left: 8, right: 44, top: 8, bottom: 8, containLabel: true},
      tooltip: {trigger: 'axis', axisPointer: {type: 'shadow'},
                valueFormatter: function (value) { return value + suffix; }},
      xAxis: {type: 'value', min: 0, max: max === null ? undefined : max, splitNumber: width < 500 ? 2 : 5,
              axisLabel: {formatter: '{value}' + suffix}},
      yAxis: {type: 'category', data: labels, inverse: true,
              axisLabel: {width: Math.round(Math.min(180, width * 0.32)), overflow: 'truncate'}},
      series: [{
        type: 'bar', name: element.getAttribute('data-name') || '', data: values, barMaxWidth: 22,
        label: {show: true, position: 'right', formatter: '{c}' + suffix},
        itemStyle: {color: function (item) { return max !== null && item.value >= max ? '#198754' : '#0d6efd'; }}
      }]
    };
  }

  function columnOption(element) {
    var suffix = element.getAttribute('data-suffix') || '';
    var width = element.clientWidth || 600;
    return {
      textStyle: {fontFamily: font},
      animation: false,
      grid: {left: 8, right: 8, top: 24, bottom: 8, containLabel: true},
      tooltip: {trigger: 'axis', axisPointer: {type: 'shadow'},
                valueFormatter: function (value) { return value + suffix; }},
      xAxis: {type: 'category', data: read(element, 'data-labels', []),
              axisLabel: {interval: 0, rotate: width < 500 ? 45 : 0}},
      yAxis: {type: 'value', minInterval: 1, splitNumber: 4},
      series: [{
        type: 'bar', name: element.getAttribute('data-name') || '', data: read(element, 'data-values', []),
        barMaxWidth: 40, itemStyle: {color: '#0d6efd'},
        label: {show: true, position: 'top', formatter: function (item) { return item.value ? item.value + suffix : ''; }}
      }]
    };
  }

  document.querySelectorAll('[data-chart="column"]').forEach(function (element) {
    element.style.height = '260px';
    var chart = window.echarts.init(element);
    chart.setOption(columnOption(element));
    charts.push({chart: chart, element: element, option: columnOption});
  });

  document.querySelectorAll('[data-chart="bar"]').forEach(function (element) {
    var rows = read(element, 'data-labels', []).length;
    element.style.height = Math.max(140, rows * 34 + 50) + 'px';
    var chart = window.echarts.init(element);
    chart.setOption(barOption(element));
    charts.push({chart: chart, element: element});
  });

  window.addEventListener('resize', function () {
    charts.forEach(function (item) {
      item.chart.resize();
      item.chart.setOption((item.option || barOption)(item.element));
    });
  });
})();
