using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Platform.Webhook.Manifests.KubeRay;

/// <summary>
/// The few things the preview needs from a Kubernetes resource quantity: its value as a decimal and, like
/// apimachinery's <c>Quantity.Value()</c> that KubeRay uses for <c>--num-cpus</c>/<c>--num-gpus</c>/<c>--memory</c>,
/// that value rounded up to an integer.
/// </summary>
internal static partial class ResourceQuantity
{
    public static bool TryParse(JsonNode? node, out decimal value)
    {
        value = 0;
        if (node is not JsonValue jsonValue)
        {
            return false;
        }

        return jsonValue.GetValueKind() switch
        {
            JsonValueKind.Number => decimal.TryParse(jsonValue.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value),
            JsonValueKind.String => TryParse(jsonValue.GetValue<string>(), out value),
            _ => false,
        };
    }

    public static bool TryParse(string text, out decimal value)
    {
        value = 0;
        var match = QuantityPattern().Match(text);
        if (!match.Success || !decimal.TryParse(match.Groups["number"].Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var suffix = match.Groups["suffix"].Value;
        try
        {
            decimal multiplier = suffix switch
            {
                "" => 1m,
                "n" => 0.000000001m,
                "u" => 0.000001m,
                "m" => 0.001m,
                "k" => 1_000m,
                "M" => 1_000_000m,
                "G" => 1_000_000_000m,
                "T" => 1_000_000_000_000m,
                "P" => 1_000_000_000_000_000m,
                "E" => 1_000_000_000_000_000_000m,
                "Ki" => 1024m,
                "Mi" => 1024m * 1024,
                "Gi" => 1024m * 1024 * 1024,
                "Ti" => 1024m * 1024 * 1024 * 1024,
                "Pi" => 1024m * 1024 * 1024 * 1024 * 1024,
                "Ei" => 1024m * 1024 * 1024 * 1024 * 1024 * 1024,
                _ when suffix[0] is 'e' or 'E' => Pow10(int.Parse(suffix[1..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)),
                _ => 0m,
            };
            value = number * multiplier;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>Rounds up like apimachinery's <c>Quantity.Value()</c>.</summary>
    public static long CeilingValue(decimal value) => (long)decimal.Ceiling(value);

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < Math.Abs(exponent); i++)
        {
            result = exponent > 0 ? result * 10 : result / 10;
        }

        return result;
    }

    [GeneratedRegex(@"^(?<number>[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+))(?<suffix>|[numkMGTPE]|[KMGTPE]i|[eE][+-]?[0-9]+)$")]
    private static partial Regex QuantityPattern();
}
