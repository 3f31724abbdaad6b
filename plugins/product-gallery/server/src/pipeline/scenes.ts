/**
 * Default scene templates for the local compositor, drawn by the project itself (SVG rendered
 * with sharp): a hand for rings, a neckline for necklaces and pendants, an ear for earrings,
 * a wrist for bracelets, and open linen with props at its edges for lifestyle shots. Each carries the anchor
 * where the piece sits, the angle it sits at, and the scene's scale in pixels per millimetre,
 * so that a composite is true to the product's real size.
 */
import sharp from 'sharp';

export type SceneKind = 'hand' | 'neckline' | 'ear' | 'wrist' | 'surface';

export interface Scene {
  kind: SceneKind | 'custom';
  /** Encoded image (PNG/JPEG). */
  image: Buffer;
  width: number;
  height: number;
  /** Where the product's centre goes, in pixels. */
  anchor: { x: number; y: number };
  /** Rotation of the product in degrees, clockwise. */
  angle: number;
  /** Scene scale: how many pixels one millimetre spans at the anchor. */
  pxPerMm: number;
}

export const SCENE_FOR_CATEGORY: Record<string, SceneKind> = {
  ring: 'hand',
  necklace: 'neckline',
  pendant: 'neckline',
  earrings: 'ear',
  bracelet: 'wrist',
  anklet: 'wrist',
  brooch: 'neckline',
  other: 'surface',
};

const SKIN = { light: '#e9c3a6', mid: '#d9a989', shade: '#b98467' };

/**
 * Real-world spans used to set each template's scale: an adult ring finger is about 18 mm
 * wide, a neckline from shoulder to shoulder about 360 mm, an ear about 60 mm tall, a wrist
 * about 55 mm wide, and the surface scene frames about 300 mm.
 */
interface Template {
  svg: string;
  anchor: { x: number; y: number };
  angle: number;
  pxPerMm: number;
  /** Props drawn at the frame's edges whatever the framing (frame coordinates, w x h). */
  props?: (w: number, h: number) => string;
}

const templates: Record<SceneKind, (w: number, h: number) => Template> = {
  hand: (w, h) => {
    const fingerW = w * 0.09; // ~18 mm
    const pxPerMm = fingerW / 18;
    const cx = w * 0.5;
    const fingers = [-1.5, -0.5, 0.5, 1.5]
      .map((i, k) => {
        const x = cx + i * fingerW * 1.12;
        const top = h * (0.12 + [0.1, 0.02, 0, 0.06][k]);
        return `<rect x="${x - fingerW / 2}" y="${top}" width="${fingerW}" height="${h * 0.6}" rx="${fingerW / 2}" fill="url(#skin)"/>`;
      })
      .join('');
    return {
      svg: `<defs><linearGradient id="skin" x1="0" x2="1"><stop offset="0" stop-color="${SKIN.shade}"/><stop offset=".35" stop-color="${SKIN.light}"/><stop offset=".8" stop-color="${SKIN.mid}"/><stop offset="1" stop-color="${SKIN.shade}"/></linearGradient>
        <radialGradient id="bg" cx=".5" cy=".35" r=".9"><stop offset="0" stop-color="#f6efe8"/><stop offset="1" stop-color="#dccfc2"/></radialGradient></defs>
        <rect width="${w}" height="${h}" fill="url(#bg)"/>
        ${fingers}
        <rect x="${cx - fingerW * 2.4}" y="${h * 0.52}" width="${fingerW * 4.8}" height="${h * 0.6}" rx="${fingerW * 1.2}" fill="url(#skin)"/>
        <ellipse cx="${cx + fingerW * 2.7}" cy="${h * 0.7}" rx="${fingerW * 0.6}" ry="${fingerW * 2}" transform="rotate(-35 ${cx + fingerW * 2.7} ${h * 0.7})" fill="url(#skin)"/>`,
      // ring finger (second from the right), at the base phalanx
      anchor: { x: cx + 0.5 * fingerW * 1.12, y: h * 0.42 },
      angle: 0,
      pxPerMm,
    };
  },
  neckline: (w, h) => {
    const pxPerMm = (w * 0.9) / 360;
    return {
      svg: `<defs><linearGradient id="skin" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${SKIN.mid}"/><stop offset="1" stop-color="${SKIN.light}"/></linearGradient>
        <linearGradient id="cloth" x1="0" x2="1"><stop offset="0" stop-color="#3b4a5a"/><stop offset="1" stop-color="#2b3744"/></linearGradient></defs>
        <rect width="${w}" height="${h}" fill="#efe7df"/>
        <path d="M${w * 0.38},0 L${w * 0.62},0 L${w * 0.64},${h * 0.25} Q${w * 0.95},${h * 0.3} ${w},${h * 0.42} L${w},${h} L0,${h} L0,${h * 0.42} Q${w * 0.05},${h * 0.3} ${w * 0.36},${h * 0.25} Z" fill="url(#skin)"/>
        <path d="M0,${h * 0.62} Q${w * 0.5},${h * 0.98} ${w},${h * 0.62} L${w},${h} L0,${h} Z" fill="url(#cloth)"/>
        <path d="M${w * 0.3},${h * 0.4} Q${w * 0.5},${h * 0.46} ${w * 0.7},${h * 0.4}" stroke="${SKIN.shade}" stroke-width="${w * 0.006}" fill="none" opacity=".45"/>`,
      anchor: { x: w * 0.5, y: h * 0.5 },
      angle: 0,
      pxPerMm,
    };
  },
  ear: (w, h) => {
    const earH = h * 0.42; // ~60 mm
    const pxPerMm = earH / 60;
    const ex = w * 0.5;
    const ey = h * 0.32;
    return {
      svg: `<defs><radialGradient id="skin" cx=".4" cy=".4" r=".8"><stop offset="0" stop-color="${SKIN.light}"/><stop offset="1" stop-color="${SKIN.mid}"/></radialGradient></defs>
        <rect width="${w}" height="${h}" fill="#5a4032"/>
        <path d="M0,0 L${w * 0.3},0 Q${w * 0.2},${h * 0.5} ${w * 0.35},${h} L0,${h} Z" fill="#3d2a20"/>
        <rect x="${w * 0.25}" y="0" width="${w * 0.75}" height="${h}" fill="url(#skin)"/>
        <ellipse cx="${ex}" cy="${ey}" rx="${earH * 0.3}" ry="${earH / 2}" fill="${SKIN.mid}" stroke="${SKIN.shade}" stroke-width="${w * 0.01}"/>
        <ellipse cx="${ex + earH * 0.04}" cy="${ey - earH * 0.05}" rx="${earH * 0.15}" ry="${earH * 0.28}" fill="none" stroke="${SKIN.shade}" stroke-width="${w * 0.008}" opacity=".7"/>`,
      // the lobe
      anchor: { x: ex, y: ey + earH * 0.42 },
      angle: 0,
      pxPerMm,
    };
  },
  wrist: (w, h) => {
    const wristW = h * 0.28; // ~55 mm
    const pxPerMm = wristW / 55;
    return {
      svg: `<defs><linearGradient id="skin" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${SKIN.shade}"/><stop offset=".3" stop-color="${SKIN.light}"/><stop offset=".85" stop-color="${SKIN.mid}"/><stop offset="1" stop-color="${SKIN.shade}"/></linearGradient></defs>
        <rect width="${w}" height="${h}" fill="#ece6dd"/>
        <rect x="-${w * 0.1}" y="${h * 0.36}" width="${w * 1.2}" height="${wristW}" rx="${wristW / 2}" fill="url(#skin)"/>
        <ellipse cx="${w * 0.92}" cy="${h * 0.5}" rx="${wristW * 0.9}" ry="${wristW * 0.75}" fill="url(#skin)"/>`,
      anchor: { x: w * 0.55, y: h * 0.36 + wristW / 2 },
      angle: 90,
      pxPerMm,
    };
  },
  surface: (w, h) => {
    const pxPerMm = w / 300;
    // The piece lies on open linen; the props stay at the frame's edges, so nothing but the
    // surface is around the piece (a dish rim through it would read as part of it).
    return {
      svg: `<defs><linearGradient id="linen" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#f3ede4"/><stop offset="1" stop-color="#e6ddd0"/></linearGradient></defs>
        <rect width="${w}" height="${h}" fill="url(#linen)"/>`,
      props: (fw, fh) => `<ellipse cx="${fw * 0.02}" cy="${fh * 1.02}" rx="${fw * 0.16}" ry="${fh * 0.2}" fill="#d8cfc2"/>
        <ellipse cx="${fw * 0.02}" cy="${fh * 1.0}" rx="${fw * 0.15}" ry="${fh * 0.19}" fill="#fbfaf7"/>
        <path d="M${fw * 0.95},${-fh * 0.02} q${fw * 0.03},${fh * 0.12} ${fw * 0.005},${fh * 0.24}" stroke="#9fae8a" stroke-width="${fw * 0.008}" fill="none"/>
        <ellipse cx="${fw * 0.965}" cy="${fh * 0.06}" rx="${fw * 0.02}" ry="${fh * 0.035}" fill="#b9c7a2"/>`,
      anchor: { x: w * 0.5, y: h * 0.5 },
      // as photographed: a decorative tilt adds nothing true about the piece, and a composite's
      // box is compared with the source view for view
      angle: 0,
      pxPerMm,
    };
  },
};

/**
 * A small piece is framed closer, as a photographer would: below this share of the frame's short
 * side the template is drawn larger around its anchor (its px/mm grows with it, so the piece keeps
 * its true size against the body). A 25 mm pendant on a whole neckline would be a few dozen
 * pixels: too few for a shopper to see it, or for any check to compare it with its source.
 */
export const MIN_PRODUCT_SHARE = 0.25;
/** The closest framing: beyond it the body no longer reads as a hand, a neck, an ear. */
export const MAX_SCENE_ZOOM = 5;

export interface SceneFraming {
  /** The product's real long side: the scene is framed so it spans at least MIN_PRODUCT_SHARE of the short side. */
  productLongSideMm?: number;
}

/** Renders a default scene at the given size (default 1600 px on the long side, 4:5), framed for the product. */
export async function renderScene(kind: SceneKind, width = 1600, height = 2000, framing: SceneFraming = {}): Promise<Scene> {
  const base = templates[kind](width, height);
  const productPx = (framing.productLongSideMm ?? 0) * base.pxPerMm;
  const zoom = productPx > 0 ? Math.min(MAX_SCENE_ZOOM, Math.max(1, (MIN_PRODUCT_SHARE * Math.min(width, height)) / productPx)) : 1;
  // drawn at zoom x the frame, then the frame cut around the anchor (kept inside the drawing)
  const t = zoom === 1 ? base : templates[kind](width * zoom, height * zoom);
  const x0 = Math.min(Math.max(0, t.anchor.x - width / 2), width * zoom - width);
  const y0 = Math.min(Math.max(0, t.anchor.y - height / 2), height * zoom - height);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><svg width="${width}" height="${height}" viewBox="${x0} ${y0} ${width} ${height}">${t.svg}</svg>${t.props?.(width, height) ?? ''}</svg>`;
  const image = await sharp(Buffer.from(svg)).png().toBuffer();
  return { kind, image, width, height, anchor: { x: t.anchor.x - x0, y: t.anchor.y - y0 }, angle: t.angle, pxPerMm: t.pxPerMm };
}

export const sceneSizeFor = (aspect: string, longEdge: number): { width: number; height: number } => {
  const [a, b] = aspect.split(':').map(Number);
  if (!a || !b) return { width: longEdge, height: longEdge };
  return a >= b ? { width: longEdge, height: Math.round((longEdge * b) / a) } : { width: Math.round((longEdge * a) / b), height: longEdge };
};
