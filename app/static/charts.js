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
// "radar" and "compare" set two series against each other per label (能力画像: data-values the
// mastery, data-targets the post's target, data-names the two series' names, data-max the scale's
// top): a radar from three labels up, "compare" paired horizontal bars for fewer.
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

  function pairOption(element) {
    var labels = read(element, 'data-labels', []);
    var names = read(element, 'data-names', ['', '']);
    var max = Number(element.getAttribute('data-max') || 3);
    var width = element.clientWidth || 600;
    var colors = ['#0d6efd', '#fd7e14'];
    var option = {textStyle: {fontFamily: font}, animation: false, color: colors,
                  legend: {bottom: 0, data: names}, tooltip: {trigger: 'item'}};
    var values = read(element, 'data-values', []);
    var targets = read(element, 'data-targets', []);
    if (element.getAttribute('data-chart') === 'radar') {
      var narrow = width < 500;
      option.radar = {radius: narrow ? '55%' : '65%', center: ['50%', '48%'], splitNumber: max,
                      indicator: labels.map(function (name) { return {name: name, max: max}; }),
                      axisName: {color: '#212529', fontSize: narrow ? 10 : 12, width: narrow ? 70 : 120,
                                 overflow: 'break'}};
      option.series = [{type: 'radar', data: [
        {value: values, name: names[0], areaStyle: {opacity: 0.25}},
        {value: targets, name: names[1], lineStyle: {type: 'dashed'}, symbol: 'none'}]}];
      return option;
    }
    option.tooltip = {trigger: 'axis', axisPointer: {type: 'shadow'}};
    option.grid = {left: 8, right: 24, top: 8, bottom: 32, containLabel: true};
    option.xAxis = {type: 'value', min: 0, max: max, interval: 1};
    option.yAxis = {type: 'category', data: labels, inverse: true,
                    axisLabel: {width: Math.round(Math.min(180, width * 0.32)), overflow: 'truncate'}};
    option.series = [{type: 'bar', name: names[0], data: values, barMaxWidth: 18},
                     {type: 'bar', name: names[1], data: targets, barMaxWidth: 18}];
    return option;
  }

  document.querySelectorAll('[data-chart="radar"], [data-chart="compare"]').forEach(function (element) {
    var rows = read(element, 'data-labels', []).length;
    element.style.height = element.getAttribute('data-chart') === 'radar'
      ? (element.clientWidth < 500 ? '320px' : '420px') : Math.max(160, rows * 60 + 60) + 'px';
    var chart = window.echarts.init(element);
    chart.setOption(pairOption(element));
    charts.push({chart: chart, element: element, option: pairOption});
  });

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
