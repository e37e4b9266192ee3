/** A product of the OpenTelemetry demo's astronomy shop (its ids, names and prices). */
export interface Product {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Price in US dollars; the frontend converts it. */
  readonly price_usd: number;
  readonly categories: readonly string[];
}

/**
 * The demo's ten products, ids unchanged: Locust files and runbooks written
 * for the demo name them (OLJCESPC7Z is the one productCatalogFailure breaks).
 */
export const PRODUCTS: readonly Product[] = [
  {
    id: 'OLJCESPC7Z',
    name: 'National Park Foundation Explorascope',
    description: 'A 60 mm refractor telescope for families and first-time stargazers.',
    price_usd: 101.96,
    categories: ['telescopes'],
  },
  {
    id: '66VCHSJNUP',
    name: 'Starsense Explorer Refractor Telescope',
    description: 'A smartphone-guided refractor that finds objects for you.',
    price_usd: 349.95,
    categories: ['telescopes'],
  },
  {
    id: '1YMWWN1N4O',
    name: 'Eclipsmart Travel Refractor Telescope',
    description: 'A compact solar telescope with a backpack, ready for the next eclipse.',
    price_usd: 129.95,
    categories: ['telescopes', 'travel'],
  },
  {
    id: 'L9ECAV7KIM',
    name: 'Lens Cleaning Kit',
    description: 'Brush, cloth and fluid for telescope and binocular optics.',
    price_usd: 21.95,
    categories: ['accessories'],
  },
  {
    id: '2ZYFJ3GM2N',
    name: 'Roof Binoculars',
    description: 'Bright, sharp 10x42 roof-prism binoculars for the night sky.',
    price_usd: 209.95,
    categories: ['binoculars'],
  },
  {
    id: '0PUK6V6EV0',
    name: 'Solar System Color Imager',
    description: 'A colour camera for planetary and lunar imaging.',
    price_usd: 175.0,
    categories: ['accessories', 'telescopes'],
  },
  {
    id: 'LS4PSXUNUM',
    name: 'Red Flashlight',
    description: 'A red light that keeps your eyes adapted to the dark.',
    price_usd: 57.8,
    categories: ['accessories', 'flashlights'],
  },
  {
    id: '9SIQT8TOJO',
    name: 'Optical Tube Assembly',
    description: 'A 14-inch optical tube for observatory-class mounts.',
    price_usd: 3599.0,
    categories: ['accessories', 'telescopes', 'assembly'],
  },
  {
    id: '6E92ZMYYFZ',
    name: 'Solar Filter',
    description: 'A full-aperture filter for safe views of the Sun.',
    price_usd: 69.95,
    categories: ['accessories', 'telescopes'],
  },
  {
    id: 'HQTGWGPNH4',
    name: 'The Comet Book',
    description: 'A guide to the comets of the last century.',
    price_usd: 0.99,
    categories: ['books'],
  },
];

export const PRODUCT_IDS: readonly string[] = PRODUCTS.map((p) => p.id);

export function findProduct(id: string): Product | undefined {
  return PRODUCTS.find((p) => p.id === id);
}
