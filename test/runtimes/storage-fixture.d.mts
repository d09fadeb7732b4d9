/** Types of storage-fixture.mjs: the artifacts the storage suites save and load. */
export declare const WEIGHTS: number[];
export declare const ARTIFACTS: {
  modelTopology: { class_name: string; config: { name: string; layers: Array<{ class_name: string; config: { units: number } }> }; keras_version: string; backend: string };
  format: string;
  generatedBy: string;
  convertedBy: null;
  weightSpecs: Array<{ name: string; shape: number[]; dtype: 'float32' }>;
  trainingConfig: { loss: string };
  userDefinedMetadata: { epoch: number };
};
