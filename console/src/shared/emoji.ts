/**
 * A small built-in emoji list for the chat input. WeChat shows standard Unicode emoji in text messages,
 * so these are sent as ordinary characters.
 */
export const EMOJI = [
  "😀", "😁", "😂", "😊", "😍", "🤔", "😅", "😉", "😌", "😔",
  "😢", "😭", "😡", "😮", "😴", "🙂", "🙃", "🤝", "🙏", "👍",
  "👌", "👏", "💪", "✌️", "❤️", "💧", "🚰", "🔧", "🏠", "📞",
  "📅", "⏰", "✅", "❌", "⚠️", "💡", "📄", "💰", "🎉", "🌹",
] as const;
