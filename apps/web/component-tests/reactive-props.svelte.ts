/** Props a test can change after mounting: a component follows a `$state` object it was given. */
export function reactiveProps<P extends Record<string, unknown>>(initial: P): P {
  const props = $state(initial);
  return props;
}
