import type { Router } from 'express';

/** The endpoint of a feature that is turned off answers every method with 404 and one line saying why. */
export function answerFeatureOff(router: Router, path: string, why: string): void {
  router.all(path, (_req, res) => {
    res.status(404).type('text').send(`${why}\n`);
  });
}
