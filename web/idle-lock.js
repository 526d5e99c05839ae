/**
 * The idle lock for shared workstations: after a stretch without keyboard, pointer or touch
 * activity, `onIdle` runs (it wipes the worker's keys and asks for the passkey again).
 */

const ACTIVITY = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'];

export function startIdleLock(seconds, onIdle) {
  let timer = null;
  const reset = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stop();
      onIdle();
    }, seconds * 1000);
  };
  const stop = () => {
    clearTimeout(timer);
    ACTIVITY.forEach((event) => window.removeEventListener(event, reset, true));
  };
  ACTIVITY.forEach((event) => window.addEventListener(event, reset, { capture: true, passive: true }));
  reset();
  return stop;
}
