// The SQL names of the JS UDFs registered in this process (src/api/udf.ts), which the sandbox refuses.
const names = new Set<string>();

export function addUdfName(name: string): void {
  names.add(name);
}

export function udfNames(): ReadonlySet<string> {
  return names;
}
