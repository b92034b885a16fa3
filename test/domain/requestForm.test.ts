import { describe, expect, it } from 'vitest';
import { checkRequestForm } from '../../src/domain/requestForm.ts';

const valid = {
  justification: 'Needed for the open-source SDK refactoring across the public repository.',
  usage: 'github.com/acme/sdk',
  dataClass: 'internal',
  durationDays: '30',
};

describe('the request form limits', () => {
  it('takes a valid form, trimmed, with the duration as a number', () => {
    expect(checkRequestForm({ ...valid, usage: '  github.com/acme/sdk  ' }, 90)).toEqual({
      ok: true,
      values: {
        justification: valid.justification,
        usage: 'github.com/acme/sdk',
        dataClass: 'internal',
        durationDays: 30,
      },
    });
    expect(checkRequestForm({ ...valid, durationDays: 12 }, 90)).toMatchObject({
      ok: true,
      values: { durationDays: 12 },
    });
  });

  it('names every field that is wrong, each with what to do', () => {
    const result = checkRequestForm(
      { justification: ' too short ', usage: ' ', dataClass: null, durationDays: 'abc' },
      90,
    );
    expect(result).toEqual({
      ok: false,
      errors: {
        justification:
          "Please write at least 20 characters: why you need this tool, and why the approved alternatives won't do the job.",
        usage: 'Name the project or repository.',
        dataClass: 'Choose the most sensitive data the tool will touch.',
        durationDays: 'Enter a whole number of days, at least 1.',
      },
    });
  });

  it('enforces the upper bounds: justification, usage, the tool’s longest exception', () => {
    expect(checkRequestForm({ ...valid, justification: 'x'.repeat(3001) }, 90)).toMatchObject({
      ok: false,
      errors: { justification: 'At most 3000 characters, please.' },
    });
    expect(checkRequestForm({ ...valid, usage: 'x'.repeat(301) }, 90)).toMatchObject({
      ok: false,
      errors: { usage: 'At most 300 characters, please.' },
    });
    expect(checkRequestForm({ ...valid, durationDays: '91' }, 90)).toMatchObject({
      ok: false,
      errors: { durationDays: 'At most 90 days for this tool.' },
    });
    expect(checkRequestForm({ ...valid, durationDays: 0 }, 90)).toMatchObject({
      ok: false,
      errors: { durationDays: 'Enter a whole number of days, at least 1.' },
    });
    expect(checkRequestForm({ ...valid, durationDays: 2.5 }, 90)).toMatchObject({
      ok: false,
      errors: { durationDays: 'Enter a whole number of days, at least 1.' },
    });
  });

  it('refuses a data class that is not one of the four', () => {
    expect(checkRequestForm({ ...valid, dataClass: 'secret' }, 90)).toMatchObject({
      ok: false,
      errors: { dataClass: expect.any(String) },
    });
  });
});
