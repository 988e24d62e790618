import { describe, expect, it } from 'vitest';
import { combineSkillTests, formatIssues, predictionModelStatusSchema } from '../src/index.ts';
import { renderCrdYaml } from '../src/yaml.ts';

describe('PredictionModel status: skill verdict', () => {
  it('accepts each verdict with its p-value, and a verdict without one', () => {
    for (const skillVerdict of [
      'beats-naive',
      'no-detectable-difference',
      'worse-than-naive',
    ] as const) {
      expect(
        predictionModelStatusSchema.parse({ skill: 0.1, skillVerdict, skillPValue: 0.03 }),
      ).toEqual({ skill: 0.1, skillVerdict, skillPValue: 0.03 });
    }
    expect(predictionModelStatusSchema.parse({ skillVerdict: 'too-few-pairs' })).toEqual({
      skillVerdict: 'too-few-pairs',
    });
  });

  it('refuses an unknown verdict and a p-value outside [0, 1], naming the field', () => {
    const issues = (value: unknown) => {
      const result = predictionModelStatusSchema.safeParse(value);
      return result.success ? '' : formatIssues(result.error);
    };
    expect(issues({ skillVerdict: 'beats naive' })).toContain('skillVerdict');
    expect(issues({ skillPValue: 1.5 })).toContain('skillPValue');
    expect(issues({ skillPValue: -0.1 })).toContain('skillPValue');
  });

  it('shows the verdict beside Skill in kubectl get', () => {
    const yaml = renderCrdYaml('PredictionModel');
    expect(yaml.indexOf('name: Verdict')).toBeGreaterThan(yaml.indexOf('name: Skill'));
    expect(yaml).toContain('jsonPath: .status.skillVerdict');
  });
});

describe('combineSkillTests', () => {
  it('gives nothing for no tests and one test as it is', () => {
    expect(combineSkillTests([])).toBeNull();
    expect(combineSkillTests([{ verdict: 'beats-naive', pValue: 0.01 }])).toEqual({
      verdict: 'beats-naive',
      pValue: 0.01,
    });
  });

  it('takes the weakest verdict, with the p-value of the test that decided it', () => {
    expect(
      combineSkillTests([
        { verdict: 'beats-naive', pValue: 0.001 },
        { verdict: 'beats-naive', pValue: 0.04 },
      ]),
    ).toEqual({ verdict: 'beats-naive', pValue: 0.04 });
    expect(
      combineSkillTests([
        { verdict: 'beats-naive', pValue: 0.001 },
        { verdict: 'no-detectable-difference', pValue: 0.6 },
        { verdict: 'no-detectable-difference', pValue: 0.2 },
      ]),
    ).toEqual({ verdict: 'no-detectable-difference', pValue: 0.2 });
    expect(
      combineSkillTests([
        { verdict: 'no-detectable-difference', pValue: 0.3 },
        { verdict: 'worse-than-naive', pValue: 0.02 },
        { verdict: 'beats-naive', pValue: 0.001 },
        { verdict: 'worse-than-naive', pValue: 0.004 },
      ]),
    ).toEqual({ verdict: 'worse-than-naive', pValue: 0.004 });
  });

  it('leaves out series with too few pairs unless none has enough', () => {
    expect(
      combineSkillTests([
        { verdict: 'too-few-pairs', pValue: null },
        { verdict: 'beats-naive', pValue: 0.01 },
        { verdict: 'too-few-pairs', pValue: null },
      ]),
    ).toEqual({ verdict: 'beats-naive', pValue: 0.01 });
    expect(
      combineSkillTests([
        { verdict: 'too-few-pairs', pValue: null },
        { verdict: 'too-few-pairs', pValue: null },
      ]),
    ).toEqual({ verdict: 'too-few-pairs', pValue: null });
  });
});
