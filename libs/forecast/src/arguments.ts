// Checks of the numbers a caller passes in, each failing with a RangeError that names the
// argument as the caller knows it (a setting's name, not the parameter's).

/** `value` must be a whole number of at least 1 (a count, window or period). */
export function requireCount(name: string, value: number): void {
  if (!(Number.isSafeInteger(value) && value >= 1)) {
    throw new RangeError(`${name} must be a whole number ≥ 1, got ${value}`);
  }
}

/** Two series paired value by value must be as long as each other. */
export function requireSameLength(
  name: string,
  values: ArrayLike<number>,
  pairedName: string,
  paired: ArrayLike<number>,
): void {
  if (values.length !== paired.length) {
    throw new RangeError(
      `${name} has ${values.length} values but ${pairedName} has ${paired.length}`,
    );
  }
}
