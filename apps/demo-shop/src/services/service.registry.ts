import { type ShopServiceName } from '../shop-service.profiles';
import { createAdService } from './ad.service';
import { createCartService } from './cart.service';
import { createCheckoutService } from './checkout.service';
import { createCurrencyService } from './currency.service';
import { createFrontendService } from './frontend.service';
import { createPaymentService } from './payment.service';
import { createProductCatalogService } from './product-catalog.service';
import { createRecommendationService } from './recommendation.service';
import { type ShopServiceFactory } from './service.definition';
import { createShippingService } from './shipping.service';

/** Which code each service process runs. */
export const SHOP_SERVICE_FACTORIES: Readonly<Record<ShopServiceName, ShopServiceFactory>> = {
  frontend: createFrontendService,
  ad: createAdService,
  cart: createCartService,
  checkout: createCheckoutService,
  currency: createCurrencyService,
  payment: createPaymentService,
  'product-catalog': createProductCatalogService,
  recommendation: createRecommendationService,
  shipping: createShippingService,
};
