namespace Platform.Webhook.Settings;

/// <summary>What a setting's value must look like, which decides how it is checked before binding.</summary>
internal enum SettingKind
{
    /// <summary>Any text (a path, a URL checked later by its own validator).</summary>
    Text,

    /// <summary>A whole number (<c>int</c>).</summary>
    Integer,

    /// <summary>A number, fractions allowed (<c>double</c>).</summary>
    Number,

    /// <summary>One of <see cref="Setting.AllowedValues"/>, case-insensitive.</summary>
    Choice,
}
