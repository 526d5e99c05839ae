/**
 * Dynamic watermarks on what external contacts and download-link recipients see: the viewer's
 * name (or the link's label), the date and time, and "Confidential", repeated across the page.
 *
 * Images are stamped through a canvas: the preview is the stamped canvas itself, and a
 * watermarked download is the stamped image (PNG). A PDF's preview is the browser's own viewer
 * under an overlay that carries the same text (the page cannot draw into the viewer); a
 * watermarked PDF download is stamped in this browser with pdf-lib (npm, served by our server
 * from static/vendor with its integrity checked, never a CDN): writing text into every page of
 * any PDF (object streams, cross-reference streams, incremental updates) is a PDF parser and
 * writer's job, which the standard library of the browser does not have. It is loaded only
 * when a PDF is stamped.
 */

import { h } from './dom.js';
import { formatDateTime } from './i18n/format.js';
import { t } from './i18n/i18n.js';

const PDF_LIB = new URL('../vendor/pdf-lib/pdf-lib.esm.min.js', import.meta.url).href;
const STAMPABLE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp',
  'image/bmp']);

/** The watermark's text for `viewer` now: name, date and time, "Confidential". */
export function watermarkText(viewer, now = Date.now()) {
  return `${viewer} · ${formatDateTime(now / 1000)} · ${t('watermark.confidential')}`;
}

export const canStampImage = (mime) => STAMPABLE_IMAGES.has(mime);
export const canStamp = (mime) => canStampImage(mime) || mime === 'application/pdf';

async function imageOf(blob) {
  const url = URL.createObjectURL(blob);
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    return image;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Draws `text` diagonally across the canvas, repeated, dark and light so it shows on any
 * background. */
function stamp(context, width, height, text) {
  const size = Math.max(14, Math.round(Math.min(width, height) / 18));
  context.save();
  context.font = `bold ${size}px sans-serif`;
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.translate(width / 2, height / 2);
  context.rotate(-Math.PI / 6);
  const diagonal = Math.hypot(width, height);
  for (let y = -diagonal / 2; y <= diagonal / 2; y += size * 4) {
    context.fillStyle = 'rgba(200, 0, 0, 0.35)';
    context.fillText(text, 0, y);
    context.strokeStyle = 'rgba(255, 255, 255, 0.35)';
    context.lineWidth = 1;
    context.strokeText(text, 0, y);
  }
  context.restore();
}

/** The image in `blob` drawn on a canvas with the watermark `text` stamped over it. */
export async function stampedCanvas(blob, text) {
  const image = await imageOf(blob);
  const canvas = h('canvas', { width: image.naturalWidth, height: image.naturalHeight,
    class: 'preview watermarked', role: 'img', 'aria-label': t('watermark.label', { text }),
    dataset: { watermark: text } });
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  stamp(context, canvas.width, canvas.height, text);
  return canvas;
}

/** A watermarked copy of an image, as a PNG Blob. */
export async function stampedImage(blob, text) {
  const canvas = await stampedCanvas(blob, text);
  return new Promise((resolve) => { canvas.toBlob(resolve, 'image/png'); });
}

/** A preview of `blob` (an image or a PDF) that carries the watermark `text`. */
export async function watermarkedPreview(blob, mime, name, text) {
  if (canStampImage(mime)) {
    return stampedCanvas(blob, text);
  }
  const url = URL.createObjectURL(blob);
  const overlay = h('div', { class: 'watermark-overlay', 'aria-hidden': 'true' },
    ...Array.from({ length: 8 }, () => h('span', {}, text)));
  return h('div', { class: 'watermarked-frame', dataset: { watermark: text } },
    h('iframe', { src: url, title: name, class: 'preview pdf' }), overlay,
    h('p', { class: 'visually-hidden' }, t('watermark.label', { text })));
}

/** A copy of the PDF in `blob` with the watermark `text` written across every page. The
 * standard fonts write only Latin-1 (WinAnsi): other characters become spaces. */
export async function stampedPdf(blob, text) {
  const { PDFDocument, StandardFonts, degrees, rgb } = await import(PDF_LIB);
  const pdf = await PDFDocument.load(await blob.arrayBuffer(), { ignoreEncryption: true });
  const font = await pdf.embedFont(StandardFonts.HelveticaBold);
  const latin = text.replace(/[^\x20-\x7e\xa1-\xff]/g, ' ');
  for (const page of pdf.getPages()) {
    const { width, height } = page.getSize();
    const size = Math.max(8, Math.min(width, height) / 24);
    for (let y = size; y < height; y += size * 5) {
      page.drawText(latin, { x: size, y, size, font, color: rgb(0.8, 0, 0), opacity: 0.35,
        rotate: degrees(20) });
    }
  }
  return new Blob([await pdf.save()], { type: 'application/pdf' });
}

/** A watermarked copy of an image (PNG) or a PDF, for a watermarked download. */
export function stamped(blob, mime, text) {
  return canStampImage(mime) ? stampedImage(blob, text) : stampedPdf(blob, text);
}
