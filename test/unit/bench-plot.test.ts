import t from 'tap';
import { niceCeil, renderPlot, type PlotSeries } from '../../lib/bench/plot';

/** Checks that every tag is closed in order (a small well-formedness check for the SVG writer). */
function balanced(xml: string): boolean {
  const stack: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (m[3] === '/') continue;
    if (m[1] === '') stack.push(m[2]);
    else if (stack.pop() !== m[2]) return false;
  }
  return stack.length === 0;
}

const series: PlotSeries[] = [
  { label: 'tx TS', color: '#1f77b4', dashed: false, points: [[1, 2], [32, 14], [256, 16]] },
  { label: 'tx C++', color: '#1f77b4', dashed: true, points: [[256, 20], [1, 5], [32, 19]] },
  { label: 'fwd <TS & co>', color: '#2ca02c', dashed: false, points: [[1, 1], [2, 1.5]] },
];

t.test('the plot is one well-formed SVG document with a polyline and a legend entry per series', async (t) => {
  const svg = renderPlot('pps vs batch', series);
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  t.ok(svg.trimEnd().endsWith('</svg>'));
  t.ok(balanced(svg), 'tags are balanced');
  t.equal(svg.match(/<polyline /g)?.length, 3);
  t.equal(svg.match(/stroke-dasharray/g)?.length, 2, 'the dashed series: line and legend');
  t.match(svg, /fwd &lt;TS &amp; co&gt;/, 'labels are escaped');
  t.notMatch(svg, /NaN|Infinity/);
});

t.test('points are drawn left to right by batch size on a log2 axis', async (t) => {
  const svg = renderPlot('x', [series[1]]);
  const pts = /<polyline[^>]*points="([^"]+)"/.exec(svg)?.[1].split(' ').map((p) => p.split(',').map(Number));
  t.ok(pts !== undefined && pts.length === 3);
  const xs = (pts ?? []).map((p) => p[0]);
  t.ok(xs[0] < xs[1] && xs[1] < xs[2], 'sorted by batch');
  t.equal(Math.round(((xs[1] - xs[0]) / (xs[2] - xs[0])) * 8), 5, 'batch 32 sits 5/8 of the way from 1 to 256');
});

t.test('niceCeil rounds up to 1, 2 or 5 times a power of ten', async (t) => {
  t.equal(niceCeil(14.2), 20);
  t.equal(niceCeil(3), 5);
  t.equal(niceCeil(50), 50);
  t.equal(niceCeil(0), 1);
});

t.test('every point has a marker; flagged points are hollow, and the legend explains them', async (t) => {
  const plain = renderPlot('x', series);
  t.equal(plain.match(/<circle /g)?.length, 8, 'one marker per point');
  t.notMatch(plain, /fill="white" stroke=/, 'no hollow marker');
  t.notMatch(plain, /model-bound/, 'no legend line for hollow markers when none is flagged');
  const flagged: PlotSeries[] = [{ ...series[0], points: [[1, 2], [32, 14, true], [256, 16, true]] }];
  const svg = renderPlot('x', flagged, { hollowLabel: ['model-bound', '(busy >= 90%)'] });
  t.ok(balanced(svg));
  const circles = [...svg.matchAll(/<circle [^>]*>/g)].map((m) => m[0]);
  t.equal(circles.length, 4, 'three points and the legend marker');
  t.equal(circles.filter((c) => c.includes('fill="white"')).length, 3, 'two hollow points and the hollow legend marker');
  t.match(svg, />model-bound<\/text>/);
  t.match(svg, />\(busy &gt;= 90%\)<\/text>/);
});

t.test('the y axis label is an option', async (t) => {
  t.match(renderPlot('x', series), />Mpps<\/text>/);
  t.match(renderPlot('x', series, { yLabel: 'driver ns per packet' }), />driver ns per packet<\/text>/);
});
