// The referral graph on depth rings (SVG, text as text) and how it grows.

import { badge, emptyState, hint, item, linkButton, meta, pageHeader, section } from '../components/ui.js';
import { h, uid } from '../lib/dom.js';
import { CATEGORIES, CONTACT_STATUS, formatDate, label } from '../lib/format.js';

const NS = 'http://www.w3.org/2000/svg';
const RADIUS = 250;

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) if (value !== null && value !== undefined) el.setAttribute(key, String(value));
  el.append(...children.flat().filter((c) => c !== null && c !== undefined));
  return el;
}

// Cut at a word: what shows stays part of the name (voice control).
function short(text) {
  if (text.length <= 16) return text;
  let cut = '';
  for (const word of text.split(' ')) {
    if (cut.length + word.length >= 15) break;
    cut += ` ${word}`;
  }
  return `${cut.trim() || text.slice(0, 15)}…`;
}
const away = (d) => (d === null ? 'not reachable through introductions' : `${d} ${d === 1 ? 'step' : 'steps'} away`);

/** Rings by depth, each in the order of who introduced them. */
function layout(nodes, edges) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const e of edges) {
    const from = byId.get(e.from);
    const to = byId.get(e.to);
    if (e.status !== 'declined' && from?.depth != null && to && to.depth === from.depth + 1 && !parent.has(e.to)) parent.set(e.to, e.from);
  }
  const deepest = Math.max(1, ...nodes.map((n) => n.depth ?? 0));
  const outer = nodes.some((n) => n.depth === null) ? deepest + 1 : deepest;
  const step = RADIUS / outer;
  const pos = new Map([['me', { x: 0, y: 0, a: -Math.PI / 2 }]]);
  for (let d = 1; d <= outer; d += 1) {
    const ring = nodes.filter((n) => n.id !== 'me' && (n.depth ?? outer) === d);
    ring.sort((a, b) => (pos.get(parent.get(a.id))?.a ?? 0) - (pos.get(parent.get(b.id))?.a ?? 0));
    ring.forEach((n, i) => {
      const a = (2 * Math.PI * (i + 0.5)) / ring.length - Math.PI / 2;
      pos.set(n.id, { x: Math.round(step * d * Math.cos(a)), y: Math.round(step * d * Math.sin(a)), a });
    });
  }
  return { pos, outer, step };
}

function graphView({ nodes, edges }, navigate, titleId) {
  const { pos, outer, step } = layout(nodes, edges);
  const size = RADIUS + 40;
  const open = (n) => navigate(`/app/contacts/${n.id}`);
  const rings = Array.from({ length: outer }, (_, i) => s('circle', { class: 'ring', r: step * (i + 1) }));
  const lines = edges
    .filter((e) => pos.has(e.from) && pos.has(e.to))
    .map((e) => {
      const a = pos.get(e.from);
      const b = pos.get(e.to);
      return s('line', { class: `edge e-${e.status}`, x1: a.x, y1: a.y, x2: b.x, y2: b.y });
    });
  const dots = nodes.map((n) => {
    const p = pos.get(n.id);
    if (n.kind === 'user') {
      return s('g', { class: 'node me', transform: `translate(${p.x} ${p.y})` }, s('circle', { r: 16 }), s('text', { y: 5 }, 'You'));
    }
    const name = `${n.label}, ${label(CONTACT_STATUS, n.status).toLowerCase()}, ${away(n.depth)}`;
    const g = s(
      'g',
      { class: `node s-${n.status}`, transform: `translate(${p.x} ${p.y})`, tabindex: 0, role: 'link', 'aria-label': name },
      s('title', {}, name),
      s('circle', { r: 11 }),
      s('text', { y: 28 }, short(n.label)),
    );
    g.addEventListener('click', () => open(n));
    g.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        open(n);
      }
    });
    return g;
  });
  return s('svg', { class: 'graph', viewBox: `${-size} ${-size} ${2 * size} ${2 * size}`, role: 'group', 'aria-labelledby': titleId }, rings, lines, dots);
}

function legend() {
  return h(
    'ul',
    { class: 'legend' },
    Object.entries(CONTACT_STATUS).map(([key, text]) => h('li', {}, h('span', { class: `dot s-${key}`, 'aria-hidden': 'true' }), text)),
  );
}

/** Horizontal bars with labels and values: fits a phone. */
function hbars(rows, title) {
  const max = Math.max(1, ...rows.map(([, v]) => v));
  return s(
    'svg',
    { class: 'chart', viewBox: `0 0 260 ${rows.length * 26}`, role: 'img', 'aria-label': `${title}. ${rows.map(([k, v]) => `${k}: ${v}`).join('; ')}` },
    rows.map(([key, value], i) =>
      s(
        'g',
        { transform: `translate(0 ${i * 26})` },
        s('text', { x: 0, y: 17 }, key),
        s('rect', { class: 'bar', x: 100, y: 4, height: 18, width: Math.max(1, Math.round((value / max) * 130)) }),
        s('text', { x: 105 + Math.round((value / max) * 130), y: 17, class: 'value start' }, String(value)),
      ),
    ),
  );
}

function figure(title, ...body) {
  return h('figure', { class: 'card stat' }, h('figcaption', {}, title), body);
}

function stats(st) {
  const c = st.connections_per_interview;
  const i = st.introductions;
  const pct = i.share === null ? null : Math.round(i.share * 100);
  return section(
    'How it grows',
    h(
      'div',
      { class: 'stats' },
      figure(
        'Conversations per week',
        hbars(
          st.conversations_per_week.map((w) => [formatDate(w.starts_on), w.conversations]),
          'Conversations per week, by the Monday it starts',
        ),
      ),
      figure(
        'Introductions per conversation',
        h('p', { class: 'big' }, c.ratio === null ? '–' : c.ratio.toFixed(1)),
        hint(`${c.referrals} introductions from ${c.interviews} conversations`),
      ),
      figure('Longest chain', h('p', { class: 'big' }, String(st.longest_chain)), hint(`steps from you; ${st.longest_met_chain} through people you met`)),
      figure(
        'Offered → met',
        h('p', { class: 'big' }, pct === null ? '–' : `${pct}%`),
        h('meter', { min: 0, max: 100, value: pct ?? 0, 'aria-label': 'Share of introductions offered that you met' }),
        hint(`${i.met} of ${i.offered} introductions offered`),
      ),
      figure(
        'Open notes by category',
        hbars(
          CATEGORIES.map(([key, text]) => [text, st.open_note_items[key]]),
          'Open notes by category',
        ),
      ),
    ),
  );
}

export async function render({ navigate, get }) {
  const [graph, st] = await Promise.all([get('/network/graph'), get('/network/stats', { weeks: 12 })]);
  const titleId = uid('graph');
  const people = graph.nodes.filter((n) => n.kind !== 'user');
  return [
    pageHeader('Network', linkButton('/app/opportunities', 'Opportunities', 'btn-secondary')),
    h(
      'section',
      { 'aria-labelledby': titleId },
      h('h2', { id: titleId }, 'Who led to whom'),
      people.length
        ? [
            hint('You in the middle; each ring is one introduction further. Select a person to open them.'),
            graphView(graph, navigate, titleId),
            legend(),
            h(
              'details',
              { class: 'closed' },
              h('summary', {}, 'The same as a list'),
              h(
                'ul',
                { class: 'list' },
                people.map((n) => item(`/app/contacts/${n.id}`, n.label, meta(away(n.depth), badge(label(CONTACT_STATUS, n.status), n.status)))),
              ),
            ),
          ]
        : emptyState(
            'Your network starts with one introduction.',
            'Turn the To Connect notes from each conversation into contacts: the picture grows from you outward.',
          ),
    ),
    stats(st),
  ];
}
