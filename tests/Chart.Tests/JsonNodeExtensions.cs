using System.Text.Json.Nodes;

namespace Platform.Chart.Tests;

internal static class JsonNodeExtensions
{
    /// <summary>Every value under a property called <paramref name="name"/>, at any depth.</summary>
    public static IEnumerable<JsonNode> DescendantsNamed(this JsonNode node, string name)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (value is null)
                    {
                        continue;
                    }

                    if (key == name)
                    {
                        yield return value;
                    }

                    foreach (var inner in value.DescendantsNamed(name))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array.OfType<JsonNode>())
                {
                    foreach (var inner in item.DescendantsNamed(name))
                    {
                        yield return inner;
                    }
                }

                break;
        }
    }
}
