/**
 * The demo's own sample photos: jewelry drawn as SVG and rendered with sharp on a light
 * studio background (the photos in ../shared are test material and are never shipped). Their
 * dimensions are those of the drawing, read off its stones' stated sizes, so the size guides agree.
 */
import sharp from 'sharp';

const SIZE = 1600;

const studio = (inner: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#f8f7f4"/><stop offset="1" stop-color="#eeede9"/></linearGradient>
    <linearGradient id="gold" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#f6dc8c"/><stop offset=".45" stop-color="#d4a84a"/><stop offset=".7" stop-color="#f3d98a"/><stop offset="1" stop-color="#a9782a"/></linearGradient>
    <linearGradient id="silver" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#d5d8dd"/><stop offset=".5" stop-color="#9a9fa7"/><stop offset=".75" stop-color="#c9cdd3"/><stop offset="1" stop-color="#7a8089"/></linearGradient>
    <linearGradient id="rose" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#f7c9b5"/><stop offset=".5" stop-color="#c98569"/><stop offset="1" stop-color="#f0b9a1"/></linearGradient>
    <radialGradient id="emerald" cx=".35" cy=".3" r=".8"><stop offset="0" stop-color="#b6f5cf"/><stop offset=".4" stop-color="#1f9e5a"/><stop offset="1" stop-color="#0b4d2a"/></radialGradient>
    <radialGradient id="sapphire" cx=".35" cy=".3" r=".8"><stop offset="0" stop-color="#cfe0ff"/><stop offset=".45" stop-color="#2a55c9"/><stop offset="1" stop-color="#0d215c"/></radialGradient>
    <radialGradient id="pearl" cx=".35" cy=".3" r=".8"><stop offset="0" stop-color="#ffffff"/><stop offset=".6" stop-color="#ece6dc"/><stop offset="1" stop-color="#b9ad9c"/></radialGradient>
    <radialGradient id="bead" cx=".35" cy=".3" r=".8"><stop offset="0" stop-color="#9aa0a8"/><stop offset=".5" stop-color="#3b3f45"/><stop offset="1" stop-color="#15171a"/></radialGradient>
    <filter id="shadow" x="-20%" y="-20%" width="140%" height="140%"><feDropShadow dx="0" dy="10" stdDeviation="14" flood-color="#6b625a" flood-opacity=".25"/></filter>
  </defs>
  <rect width="${SIZE}" height="${SIZE}" fill="url(#bg)"/>
  <g filter="url(#shadow)">${inner}</g>
</svg>`;

const ring = () =>
  studio(`
  <ellipse cx="800" cy="900" rx="330" ry="300" fill="none" stroke="url(#gold)" stroke-width="70"/>
  <path d="M690 610 L800 470 L910 610 Z" fill="url(#gold)"/>
  <polygon points="800,360 900,450 860,590 740,590 700,450" fill="url(#emerald)" stroke="#0b4d2a" stroke-width="6"/>
  <polygon points="800,380 860,450 800,560 740,450" fill="#ffffff" opacity=".25"/>`);

const pendant = () =>
  studio(`
  <path d="M300 260 Q800 1430 1300 260" fill="none" stroke="url(#silver)" stroke-width="12" stroke-dasharray="22 8"/>
  <circle cx="800" cy="845" r="26" fill="none" stroke="url(#silver)" stroke-width="12"/>
  <path d="M800 870 L930 1080 L800 1330 L670 1080 Z" fill="url(#sapphire)" stroke="#0d215c" stroke-width="6"/>
  <path d="M800 900 L880 1080 L800 1250 Z" fill="#ffffff" opacity=".25"/>
  <rect x="772" y="862" width="56" height="40" rx="10" fill="url(#silver)"/>`);

const earrings = () => {
  const one = (x: number) => `
  <path d="M${x} 330 q60 -90 120 0 q20 60 -40 110" fill="none" stroke="url(#rose)" stroke-width="14" stroke-linecap="round"/>
  <circle cx="${x + 80}" cy="450" r="22" fill="url(#rose)"/>
  <rect x="${x + 72}" y="470" width="16" height="260" rx="8" fill="url(#rose)"/>
  <circle cx="${x + 80}" cy="840" r="115" fill="url(#pearl)" stroke="#cfc4b5" stroke-width="4"/>`;
  return studio(one(430) + one(930));
};

const bracelet = () => {
  const beads = Array.from({ length: 18 }, (_, i) => {
    const a = (i / 18) * Math.PI * 2;
    const x = 800 + Math.cos(a) * 420;
    const y = 800 + Math.sin(a) * 340;
    return i === 4
      ? `<circle cx="${x}" cy="${y}" r="78" fill="url(#gold)" stroke="#a9782a" stroke-width="5"/>`
      : `<circle cx="${x}" cy="${y}" r="66" fill="url(#bead)"/>`;
  }).join('');
  return studio(`<ellipse cx="800" cy="800" rx="420" ry="340" fill="none" stroke="#3a3026" stroke-width="6"/>${beads}`);
};

export const SAMPLES = [
  {
    file: 'demo-emerald-ring.jpg',
    render: ring,
    product: {
      title: 'Emerald solitaire ring',
      sku: 'DEMO-RING-EM',
      category: 'ring',
      metal: 'yellow-gold',
      description: 'A hexagonal emerald on a polished 18k yellow-gold band.',
      stones: [{ type: 'emerald', color: 'green', count: 1, sizeMm: 6, shape: 'hexagonal' }],
      dimensions: { widthMm: 19, heightMm: 23, bandWidthMm: 2.5, ringSize: '7' },
    },
  },
  {
    file: 'demo-sapphire-pendant.jpg',
    render: pendant,
    product: {
      title: 'Sapphire drop pendant',
      sku: 'DEMO-PEND-SA',
      category: 'pendant',
      metal: 'silver',
      description: 'A kite-cut sapphire on a sterling silver bead chain.',
      stones: [{ type: 'sapphire', color: 'blue', count: 1, sizeMm: 14, shape: 'kite' }],
      dimensions: { widthMm: 31, heightMm: 33, pendantDropMm: 24, chainLengthMm: 450 },
    },
  },
  {
    file: 'demo-pearl-drop-earrings.jpg',
    render: earrings,
    product: {
      title: 'Pearl drop earrings',
      sku: 'DEMO-EAR-PE',
      category: 'earrings',
      metal: 'rose-gold',
      description: 'Freshwater pearls on rose-gold hooks.',
      stones: [{ type: 'pearl', color: 'white', count: 2, sizeMm: 10 }],
      dimensions: { widthMm: 32, heightMm: 31, earringDropMm: 31 },
    },
  },
  {
    file: 'demo-onyx-bead-bracelet.jpg',
    render: bracelet,
    product: {
      title: 'Onyx bead bracelet',
      sku: 'DEMO-BRAC-ON',
      category: 'bracelet',
      metal: 'yellow-gold',
      description: 'Matte onyx beads with one gold accent bead on a stretch cord.',
      stones: [{ type: 'onyx', color: 'black', count: 17, sizeMm: 8 }],
      dimensions: { widthMm: 59, heightMm: 49, braceletLengthMm: 180 },
    },
  },
] as const;

export const renderSample = (svg: string) => sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
