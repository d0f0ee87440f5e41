import { checkAssetName, DEFAULT_HUB_URL, resolveHubAccess } from './hub-client';

describe('resolveHubAccess', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('takes the option, then HF_ENDPOINT, then the public Hub; the token from the option or HF_TOKEN', () => {
    delete process.env.HF_ENDPOINT;
    delete process.env.HF_TOKEN;
    delete process.env.HUGGING_FACE_HUB_TOKEN;
    expect(resolveHubAccess({})).toEqual({ hubUrl: DEFAULT_HUB_URL, token: undefined });
    process.env.HF_ENDPOINT = 'https://hf-mirror.example/';
    process.env.HF_TOKEN = 'hf_env';
    expect(resolveHubAccess({})).toEqual({ hubUrl: 'https://hf-mirror.example', token: 'hf_env' });
    expect(resolveHubAccess({ hubUrl: 'http://127.0.0.1:9', token: 'hf_opt' })).toEqual({
      hubUrl: 'http://127.0.0.1:9',
      token: 'hf_opt',
    });
  });

  it('rejects a URL without scheme and a token without the hf_ prefix', () => {
    expect(() => resolveHubAccess({ hubUrl: 'hf-mirror.example' })).toThrow(
      'hub URL "hf-mirror.example" must start with http:// or https://',
    );
    expect(() => resolveHubAccess({ hubUrl: 'http://x', token: 'abc' })).toThrow('must start with "hf_"');
  });
});

describe('checkAssetName', () => {
  it('accepts Hub repo ids and plain names, nothing that leaves the folder', () => {
    for (const ok of [
      'mnist',
      'ylecun/mnist',
      'zalando-datasets/fashion_mnist',
      'uoft-cs/cifar10',
      'google/vit-base-patch16-224',
      'a.b',
    ]) {
      expect(() => checkAssetName(ok, 'dataset')).not.toThrow();
    }
    for (const bad of ['', '..', 'a/..', '../a', 'a/b/c', '/abs', 'a//b', '.hidden', 'a b']) {
      expect(() => checkAssetName(bad, 'dataset')).toThrow(`dataset "${bad}" is not a valid name`);
    }
  });
});
