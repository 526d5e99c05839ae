"""Times measured by the page itself: from a click to the first frame painted with each stage's
element in the document. Playwright's own waiting polls at 0, 20, 70, 170, 270 ms and then only
every 500 ms, so a view drawn at 280 ms would be seen at about 770: that half second would be
the poll's, not the user's wait. Playwright still waits for every stage (so a stage never
reached fails the run), and a page clock later than Playwright's refuses the run."""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import Page

# Installed before the click: the click event's time, then, for each stage, the time of the
# first task after the first frame painted with its element in the document.
STAGE_CLOCK = """(selectors) => {
  const clock = { click: null, stages: {} };
  window.__benchStageClock = clock;
  document.addEventListener('click', () => { clock.click ??= performance.now(); },
    { capture: true });
  const painted = (stage) => requestAnimationFrame(() => setTimeout(() => {
    clock.stages[stage] = performance.now();
  }));
  const seen = new Set();
  const look = () => {
    for (const [stage, selector] of Object.entries(selectors)) {
      if (!seen.has(stage) && document.querySelector(selector)) {
        seen.add(stage);
        painted(stage);
      }
    }
  };
  new MutationObserver(look).observe(document, { subtree: true, childList: true,
    attributes: true });
  look();
}"""


def stage_times(page: Page, stages: dict[str, str], click: Callable[[], None],
                timeout_ms: float) -> dict[str, float]:
    """Seconds from the click `click` makes to each stage (name: CSS selector of the element
    that marks it drawn), in the page's clock."""
    page.evaluate(STAGE_CLOCK, stages)
    start = time.perf_counter()
    click()
    for selector in stages.values():
        page.locator(selector).first.wait_for(timeout=timeout_ms)
    clock = page.wait_for_function(
        "(count) => { const clock = window.__benchStageClock;"
        " return Object.keys(clock.stages).length === count && clock; }",
        arg=len(stages), timeout=timeout_ms).json_value()
    waited = time.perf_counter() - start
    times = {stage: (clock["stages"][stage] - clock["click"]) / 1e3 for stage in stages}
    if not 0 < max(times.values()) <= waited:
        raise RuntimeError(f"the page's clock ({times}) disagrees with Playwright's ({waited:.3f})")
    return times
