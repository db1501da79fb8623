/** Types of check-layers.mjs, for test/layers.test.ts. */
export interface ImportRef {
  spec: string;
  dynamic: boolean;
  typeOnly: boolean;
  line: number;
}
export function importsOf(text: string, fileName: string): ImportRef[];
export function readLayerTable(root: string): Map<string, Map<string, boolean>>;
export function checkLayers(root: string): string[];
