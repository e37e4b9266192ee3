import { findProduct, PRODUCTS } from '../catalog/products.data';
import { flagOn } from '../flags/shop-flags';
import { HttpError, ok } from '../http/http-reply';
import { type ServiceRuntime, type ShopService } from './service.definition';

/** The product productCatalogFailure breaks, as in the demo (its targeting names the same id). */
export const FAILING_PRODUCT_ID = 'OLJCESPC7Z';

/**
 * product-catalog: the product list and one product by id. With
 * `productCatalogFailure` on, asking for FAILING_PRODUCT_ID fails with the
 * demo's own error text; every other product still works.
 */
export function createProductCatalogService(runtime: ServiceRuntime): ShopService {
  return {
    routes: [
      {
        method: 'GET',
        pattern: '/products',
        handle: () => Promise.resolve(ok({ products: PRODUCTS })),
      },
      {
        method: 'GET',
        pattern: '/products/:id',
        handle: ({ params }) => {
          const id = params['id'] ?? '';
          if (id === FAILING_PRODUCT_ID && flagOn(runtime.flags.value('productCatalogFailure'))) {
            return Promise.reject(
              new HttpError(
                500,
                `Error: Product Catalog Fail Feature Flag Enabled (product ${id})`,
              ),
            );
          }
          const product = findProduct(id);
          if (product === undefined) {
            return Promise.reject(new HttpError(404, `Product Not Found: ${id}`));
          }
          return Promise.resolve(ok(product));
        },
      },
    ],
  };
}
