/**
 * OpenCV.js (@techstark/opencv-js), loaded once per thread. The module object is a thenable
 * that never settles, so it is never awaited: readiness is `cv.Mat` existing, or the runtime's
 * onRuntimeInitialized callback. Every Mat or vector made with it lives on the WASM heap and
 * must be `.delete()`d by its maker.
 */

// The package's own typings are partial (knnMatch, DMatchVectorVector, estimateAffine2D's
// optional arguments): the few calls made here are typed by their use instead.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CV = any;

/**
 * What loadOpenCv resolves to: the runtime wrapped in an object, because a promise resolved with
 * the module itself would adopt its never-settling then() and hang.
 */
export interface OpenCvHandle {
  cv: CV;
}

let loading: Promise<OpenCvHandle> | null = null;

/** The OpenCV.js runtime of this thread (about 0.45 s the first time, then immediate). */
export function loadOpenCv(): Promise<OpenCvHandle> {
  if (loading) return loading;
  loading = new Promise<OpenCvHandle>((resolve, reject) => {
    let cv: CV;
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      cv = require('@techstark/opencv-js');
    } catch (err) {
      reject(new Error(`OpenCV.js could not be loaded: ${(err as Error).message}`));
      return;
    }
    if (cv && typeof cv.Mat === 'function') {
      resolve({ cv });
      return;
    }
    const timer = setTimeout(() => reject(new Error('OpenCV.js did not initialise within 20 s.')), 20_000);
    timer.unref?.();
    const previous = cv.onRuntimeInitialized;
    cv.onRuntimeInitialized = () => {
      clearTimeout(timer);
      if (typeof previous === 'function') previous();
      resolve({ cv });
    };
  });
  loading.catch(() => {
    loading = null;
  });
  return loading;
}
