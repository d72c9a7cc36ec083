/** Where an object keeps the methods bound to it so far (see `boundMethods`). */
export const BOUND = Symbol('bound methods');
export type BoundMethods = Record<string, (...args: never[]) => unknown>;

/**
 * Property descriptors, one per named method of `prototype` (default: all its public methods): an enumerable accessor that answers
 * the method bound to the object it is read on, bound on first read and kept (in `[BOUND]`). The
 * same accessors serve every instance, so defining them on an instance costs it no memory of its
 * own, and a method read off the object (destructured, spread, passed as a callback) still works.
 *
 * @example
 * class Store { static members = boundMethods(Store.prototype, ['get']); constructor() { Object.defineProperties(this, Store.members); } get() {} }
 */
export function boundMethods<T extends { [BOUND]?: BoundMethods }>(
  prototype: T,
  names: readonly (keyof T & string)[] = publicMethodsOf(prototype),
): PropertyDescriptorMap {
  const descriptors: PropertyDescriptorMap = {};
  for (const name of names) {
    const method = prototype[name] as (...args: never[]) => unknown;
    descriptors[name] = {
      enumerable: true,
      configurable: true,
      get(this: T) {
        this[BOUND] ??= {};
        this[BOUND][name] ??= method.bind(this);
        return this[BOUND][name];
      },
      set: replacedBy(name),
    };
  }
  return descriptors;
}

/**
 * The setter of a member that an app may still replace, as on a plain object (`client.stop = …`,
 * a test spy): the assigned value becomes the instance's own data property.
 */
export function replacedBy(name: string): (this: object, value: unknown) => void {
  return function (value) {
    Object.defineProperty(this, name, { value, writable: true, configurable: true, enumerable: true });
  };
}

/** The names of the methods defined on `prototype` itself (a class's), but its constructor. */
function publicMethodsOf<T extends object>(prototype: T): (keyof T & string)[] {
  return Object.getOwnPropertyNames(prototype).filter((name) => name !== 'constructor') as (keyof T &
    string)[];
}
