// A small SVG writer for the benchmark's chart: two log-log panels, time
// and peak memory against book size, one line a tool. A point that was not
// measured is left out, so a line stops where its tool did not finish.

const WIDTH = 880;
const HEIGHT = 420;
const PANEL_WIDTH = 340;
const PANEL_HEIGHT = 250;
const PANEL_TOP = 60;
const PANEL_LEFTS = [80, 520];

/** Line colours, one a series, distinguishable in grey as well. */
const COLOURS = ['#1b6ac9', '#c94f1b', '#555555'];

/**
 * Returns the SVG text of the chart.
 *
 * `series` is `[{ name, points: [{ megabytes, seconds, peakMegabytes }], dashed }]`,
 * where `seconds` or `peakMegabytes` may be null for a point not measured.
 */
export function scalingChart({ title, note, series }) {
  const svg = [];
  svg.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    text(WIDTH / 2, 24, title, 'middle', { size: 15, bold: true }),
    text(WIDTH / 2, HEIGHT - 12, note, 'middle', { colour: '#444444' }),
  );

  const panels = [
    { label: 'time (s)', value: (point) => point.seconds },
    { label: 'peak memory (MB)', value: (point) => point.peakMegabytes },
  ];
  panels.forEach((panel, index) => {
    svg.push(...drawPanel(PANEL_LEFTS[index], panel, series));
  });
  svg.push(...drawLegend(series));
  svg.push('</svg>');
  return `${svg.join('\n')}\n`;
}

function drawPanel(left, { label, value }, series) {
  const allPoints = series.flatMap((line) => line.points);
  const xRange = decades(allPoints.map((point) => point.megabytes));
  const yRange = decades(allPoints.map(value).filter((measured) => measured != null));
  const x = logScale(xRange, left, left + PANEL_WIDTH);
  const y = logScale(yRange, PANEL_TOP + PANEL_HEIGHT, PANEL_TOP);
  const bottom = PANEL_TOP + PANEL_HEIGHT;
  const out = [];

  for (const tick of minorTicks(yRange)) {
    out.push(line(left, y(tick), left + PANEL_WIDTH, y(tick), '#f0f0f0'));
  }
  for (const tick of minorTicks(xRange)) {
    out.push(line(x(tick), PANEL_TOP, x(tick), bottom, '#f0f0f0'));
  }
  for (let exponent = yRange.low; exponent <= yRange.high; exponent += 1) {
    const tick = 10 ** exponent;
    out.push(line(left, y(tick), left + PANEL_WIDTH, y(tick), '#cccccc'));
    out.push(text(left - 6, y(tick) + 4, formatTick(tick), 'end'));
  }
  for (let exponent = xRange.low; exponent <= xRange.high; exponent += 1) {
    const tick = 10 ** exponent;
    out.push(line(x(tick), PANEL_TOP, x(tick), bottom, '#cccccc'));
    out.push(text(x(tick), bottom + 16, formatTick(tick), 'middle'));
  }
  out.push(`<rect x="${left}" y="${PANEL_TOP}" width="${PANEL_WIDTH}" height="${PANEL_HEIGHT}" fill="none" stroke="#888888"/>`);
  out.push(text(left + PANEL_WIDTH / 2, bottom + 34, 'book size (MB of Markdown)', 'middle'));
  out.push(text(left + PANEL_WIDTH / 2, PANEL_TOP - 10, label, 'middle', { bold: true }));

  series.forEach((serie, index) => {
    const measured = serie.points.filter((point) => value(point) != null);
    const coordinates = measured.map((point) => `${round(x(point.megabytes))},${round(y(value(point)))}`);
    const colour = COLOURS[index % COLOURS.length];
    const dash = serie.dashed ? ' stroke-dasharray="5 4"' : '';
    if (coordinates.length > 1) {
      out.push(`<polyline points="${coordinates.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
    }
    if (!serie.dashed) {
      for (const point of measured) {
        out.push(`<circle cx="${round(x(point.megabytes))}" cy="${round(y(value(point)))}" r="3.5" fill="${colour}"/>`);
      }
    }
  });
  return out;
}

function drawLegend(series) {
  const out = [];
  let left = PANEL_LEFTS[0];
  const top = HEIGHT - 44;
  series.forEach((serie, index) => {
    const colour = COLOURS[index % COLOURS.length];
    const dash = serie.dashed ? ' stroke-dasharray="5 4"' : '';
    out.push(`<line x1="${left}" y1="${top}" x2="${left + 24}" y2="${top}" stroke="${colour}" stroke-width="2"${dash}/>`);
    out.push(text(left + 30, top + 4, serie.name, 'start'));
    left += 40 + serie.name.length * 7;
  });
  return out;
}

/**
 * Returns the powers of ten, as exponents, that enclose every value. A value
 * within 2% of a power of ten, such as a 100.02 MB book, stays inside it
 * rather than opening another decade.
 */
function decades(values) {
  const slack = Math.log10(1.02);
  return {
    low: Math.floor(Math.log10(Math.min(...values)) + slack),
    high: Math.ceil(Math.log10(Math.max(...values)) - slack),
  };
}

/** Returns 2 to 9 times each power of ten in the range, for the light grid lines. */
function minorTicks({ low, high }) {
  const ticks = [];
  for (let exponent = low; exponent < high; exponent += 1) {
    for (let multiple = 2; multiple <= 9; multiple += 1) {
      ticks.push(multiple * 10 ** exponent);
    }
  }
  return ticks;
}

function logScale({ low, high }, from, to) {
  const span = high === low ? 1 : high - low;
  return (value) => from + ((Math.log10(value) - low) / span) * (to - from);
}

function formatTick(value) {
  return value >= 1 ? String(value) : value.toFixed(-Math.log10(value));
}

function line(x1, y1, x2, y2, colour) {
  return `<line x1="${round(x1)}" y1="${round(y1)}" x2="${round(x2)}" y2="${round(y2)}" stroke="${colour}"/>`;
}

function text(x, y, content, anchor, { size = 12, bold = false, colour = '#000000' } = {}) {
  const weight = bold ? ' font-weight="bold"' : '';
  return (
    `<text x="${round(x)}" y="${round(y)}" text-anchor="${anchor}" font-family="sans-serif" ` +
    `font-size="${size}"${weight} fill="${colour}">${escapeXml(content)}</text>`
  );
}

function escapeXml(value) {
  return String(value).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function round(value) {
  return Math.round(value * 10) / 10;
}
