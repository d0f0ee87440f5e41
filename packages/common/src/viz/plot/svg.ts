// Minimal SVG string building: escaping, compact numbers, elements.

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Coordinates rounded to 0.01 px: plenty for display, and keeps files small. */
export function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

export type Attrs = Record<string, string | number | undefined>;

/** `<name a="b">children</name>` (self-closing without children); undefined attributes are left out. */
export function element(name: string, attrs: Attrs, children?: string): string {
  const attrText = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? px(v) : escapeXml(v as string)}"`)
    .join('');
  return children === undefined ? `<${name}${attrText}/>` : `<${name}${attrText}>${children}</${name}>`;
}

/** Width of a text run estimated from its length (DejaVu Sans averages ~0.6 em per character). */
export function estimateTextWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.6;
}

export const FONT_FAMILY = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';

/** A complete SVG document on a white background. */
export function svgDocument(width: number, height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" ` +
    `font-family="${FONT_FAMILY}" font-size="11">` +
    element('rect', { x: 0, y: 0, width, height, fill: 'white' }) +
    body +
    '</svg>'
  );
}

/** A figure-level title centred at the top (figures reserve 26 px for it). */
export function figureTitle(width: number, title: string): string {
  return element(
    'text',
    { class: 'title', x: width / 2, y: 18, 'text-anchor': 'middle', 'font-size': 14 },
    escapeXml(title),
  );
}
