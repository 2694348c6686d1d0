/** The message constructing something fails with; fails the test when it does not fail. */
export function failure(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a validation error');
}
