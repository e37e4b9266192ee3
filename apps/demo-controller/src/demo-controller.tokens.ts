/** The learning side (LearningService): scores, scorecard, accuracy feedback. */
export const LEARNING = Symbol('LEARNING');
/** The configured scenarios as plans (ScenarioCatalog). */
export const CATALOG = Symbol('CATALOG');
/** The shop's fault API client (ShopFaultClient). */
export const SHOP_FAULTS = Symbol('SHOP_FAULTS');
