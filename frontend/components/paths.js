// Warm paths (chains of introductions) and alignment with your focus areas.

import { h } from '../lib/dom.js';
import { label, REFERRAL_STATUS } from '../lib/format.js';
import { badge, emptyState, hint, meta } from './ui.js';

export function warmPaths(data, emptyText) {
  if (!data.paths.length) return emptyState('No warm path yet.', emptyText);
  return h(
    'ol',
    { class: 'list paths' },
    data.paths.map((p) =>
      h(
        'li',
        { class: 'item' },
        h(
          'span',
          { class: 'chain' },
          'You',
          p.hops.map((hop) => [
            h('span', { 'aria-hidden': 'true' }, ' → '),
            h('a', { href: `/app/contacts/${hop.to.id}` }, hop.to.full_name),
            ' ',
            badge(label(REFERRAL_STATUS, hop.status), hop.status),
          ]),
        ),
        meta(`${p.length} ${p.length === 1 ? 'step' : 'steps'}`, `weakest link: ${label(REFERRAL_STATUS, p.quality.weakest).toLowerCase()}`),
      ),
    ),
  );
}

export function alignmentView(a) {
  return [
    h('p', { class: 'score' }, h('meter', { min: 0, max: 100, value: a.score, 'aria-label': 'Alignment score' }), ` ${a.score} / 100`),
    a.reasons.length
      ? h(
          'ul',
          { class: 'reasons' },
          a.reasons.map((r) => h('li', {}, h('strong', {}, `+${r.points}`), ` ${r.detail}`)),
        )
      : hint('Nothing in common with your focus areas yet. Add focus areas on your profile, and tags to contacts and organizations.'),
  ];
}
