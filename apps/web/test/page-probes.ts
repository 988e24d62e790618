import type { Locator, Page } from 'playwright-core';

/**
 * A function to run in the page, from its source: this project's TypeScript knows no DOM, and
 * Playwright only calls what it is given as a function (a string is evaluated as is).
 */
export function inPage<A, R>(source: string): (arg: A) => R {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point: a page-side function from its source
  return new Function(`return (${source});`)() as (arg: A) => R;
}

/** How far the page scrolls sideways, in px: 0 when it fits its viewport. */
export const sidewaysScroll = (page: Page) =>
  page.evaluate<number>(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  );

const hitAtCentre = inPage<unknown, boolean>(`(el) => {
  const box = el.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return box.left >= 0 && box.right <= window.innerWidth && el.contains(hit);
}`);

/**
 * Whether the element is in view sideways and on top where it is drawn: not cut off by the
 * viewport, not scrolled away inside a panel, not covered. Scrolls it into view vertically first.
 */
export async function inReach(target: Locator): Promise<boolean> {
  await target.scrollIntoViewIfNeeded();
  return target.evaluate(hitAtCentre);
}
