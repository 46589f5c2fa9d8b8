/**
 * How a feature declares its strings: `defineMessages(zh, en)`, zh-CN first. The English
 * object is typed against the Chinese one, so a key missing in either language fails the type
 * check; `i18n.test.ts` checks the same at run time for anything the types cannot see.
 */
export type MessageTree = { readonly [key: string]: string | MessageTree };

/** The same keys as T, every leaf a string: the shape the second language must have. */
export type SameKeys<T> = { [K in keyof T]: T[K] extends string ? string : SameKeys<T[K]> };

export interface FeatureMessages<T extends MessageTree = MessageTree> {
  zh: T;
  en: SameKeys<T>;
}

export function defineMessages<const T extends MessageTree>(zh: T, en: SameKeys<T>): FeatureMessages<T> {
  return { zh, en };
}
