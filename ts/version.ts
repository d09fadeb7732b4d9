/**
 * The version of this build of neurite, as the package's `version` field (`'0.1.0'`), for bug
 * reports and feature checks. A string, as `React.version` or `d3.version`; TF.js's
 * `tf.version` is an object of its packages' versions (`tf.version['tfjs-core']`), and its
 * `tf.version_core` the string. test/version.test.ts checks it against package.json.
 *
 * @example console.log(`neurite ${version}`);
 */
export const version = '0.1.0';
