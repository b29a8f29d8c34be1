declare module 'svg-captcha' {
  interface Options { size?: number; noise?: number; ignoreChars?: string; background?: string; color?: boolean; width?: number; height?: number }
  const svgCaptcha: { create(o?: Options): { text: string; data: string } };
  export default svgCaptcha;
}
