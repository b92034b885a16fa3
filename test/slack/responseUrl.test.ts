import { describe, expect, it } from 'vitest';
import { isSlackResponseUrl } from '../../src/slack/responseUrl.ts';

describe('isSlackResponseUrl: only Slack’s own response URLs are ever posted to', () => {
  it('takes Slack’s hooks hosts, and the stand-in’s host when SLACK_API_URL points at it', () => {
    expect(isSlackResponseUrl('https://hooks.slack.com/actions/T0/123/abc', null)).toBe(true);
    expect(isSlackResponseUrl('https://hooks.slack-gov.com/commands/T0/1/x', null)).toBe(true);
    expect(isSlackResponseUrl('http://127.0.0.1:4000/response/T0-1-abc', 'http://127.0.0.1:4000/api/')).toBe(true);
  });
  it('refuses anything else', () => {
    for (const url of [
      'http://hooks.slack.com/actions/T0/1/x', // not https
      'https://hooks.slack.com.evil.example/actions',
      'https://user:pw@hooks.slack.com/actions/T0/1/x',
      'https://evil.example/hook',
      'http://127.0.0.1:4001/response/x',
      'not a url',
      `https://hooks.slack.com/${'x'.repeat(2000)}`,
      42,
      undefined,
    ]) {
      expect(isSlackResponseUrl(url, 'http://127.0.0.1:4000/api/'), String(url).slice(0, 60)).toBe(false);
    }
    expect(isSlackResponseUrl('http://127.0.0.1:4000/response/x', null)).toBe(false);
  });
});
