// Run in the page by conftest.check_accessibility: 'page' lists problems, 'focus' judges
// whether the focused element shows its focus ('ok', 'body', or the element's markup).
(what) => {
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  if (what === 'focus') {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    // A date field's own calendar button (inside the field) has Chromium's focus ring.
    if (el.type?.startsWith('date') && !el.matches(':focus')) return 'ok';
    const s = getComputedStyle(el);
    const node = el.closest('.node') && getComputedStyle(el.querySelector('circle')).strokeWidth === '5px';
    const ring = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
    return ring || s.boxShadow !== 'none' || node ? 'ok' : el.outerHTML.slice(0, 80);
  }
  const problems = [];
  const byIds = (ids) => (ids || '').split(/\s+/).map((id) => document.getElementById(id)?.textContent.trim()).join('');
  const named = (el) => Boolean(
    (el.labels && [...el.labels].some((l) => l.textContent.trim()))
    || (el.getAttribute('aria-label') || '').trim()
    || byIds(el.getAttribute('aria-labelledby'))
    || (el.getAttribute('title') || '').trim()
    || (['BUTTON', 'A', 'SUMMARY'].includes(el.tagName) && el.textContent.trim()),
  );
  const controls = 'input:not([type=hidden]), select, textarea, button, a[href], summary, [role=link], meter';
  for (const el of document.querySelectorAll(controls)) {
    if (shown(el) && !named(el)) problems.push(`unnamed ${el.tagName}: ${el.outerHTML.slice(0, 80)}`);
  }
  const levels = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].filter(shown).map((h) => Number(h.tagName[1]));
  if (levels.filter((l) => l === 1).length !== 1 || levels[0] !== 1) problems.push(`headings: ${levels}`);
  levels.forEach((l, i) => {
    if (i && l > levels[i - 1] + 1) problems.push(`heading h${levels[i - 1]} then h${l}`);
  });
  for (const el of document.querySelectorAll('.badge, .legend li')) {
    if (shown(el) && !el.textContent.trim()) problems.push(`status without words: ${el.outerHTML.slice(0, 80)}`);
  }
  for (const el of document.querySelectorAll('svg .node[role=link]')) {
    if (!/, /.test(el.getAttribute('aria-label') || '')) problems.push('a graph node without its status in words');
  }
  return problems;
}
