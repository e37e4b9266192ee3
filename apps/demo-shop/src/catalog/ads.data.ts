/** An ad beside a product, keyed by the categories it is shown for. */
export interface Ad {
  readonly redirect_url: string;
  readonly text: string;
  readonly category: string;
}

/** The demo's ad texts, one or two per category. */
export const ADS: readonly Ad[] = [
  {
    category: 'binoculars',
    redirect_url: '/product/2ZYFJ3GM2N',
    text: 'Roof Binoculars for sale. 50% off.',
  },
  {
    category: 'telescopes',
    redirect_url: '/product/66VCHSJNUP',
    text: 'Starsense Explorer Refractor Telescope for sale. 20% off.',
  },
  {
    category: 'telescopes',
    redirect_url: '/product/OLJCESPC7Z',
    text: 'National Park Foundation Explorascope for sale. 30% off.',
  },
  {
    category: 'accessories',
    redirect_url: '/product/L9ECAV7KIM',
    text: 'Lens Cleaning Kit for sale. Buy one, get second kit for free',
  },
  {
    category: 'flashlights',
    redirect_url: '/product/LS4PSXUNUM',
    text: 'Red Flashlight for sale. Buy two, get third one for free',
  },
  {
    category: 'assembly',
    redirect_url: '/product/9SIQT8TOJO',
    text: 'Optical Tube Assembly for sale. Buy one, get free shipping.',
  },
  {
    category: 'travel',
    redirect_url: '/product/1YMWWN1N4O',
    text: 'Eclipsmart Travel Refractor Telescope for sale. Buy one, get a free travel bag.',
  },
  {
    category: 'books',
    redirect_url: '/product/HQTGWGPNH4',
    text: 'The Comet Book for sale. 10% off.',
  },
];
