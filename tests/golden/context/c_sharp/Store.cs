// Golden file for the c_sharp queries: markers in tests/golden/annotated.py

using System; // {{IMPORT System}}
using System.Collections.Generic; // {{IMPORT System.Collections.Generic}}
using IO = System.IO; // {{IMPORT System.IO}}
using static System.Math; // {{IMPORT System.Math}}

// {{TEST method in an attributed class}}
namespace App.Storage // {{CONTEXT}} {{DEF module App.Storage}}
{
    public interface IRepository<T> // {{DEF interface IRepository}}
    {
        T Find(int id); // {{DEF method Find}}
        string Name { get; } // {{DEF field Name}}
    }

    [Serializable] // {{CONTEXT}} {{DEF class Store}} an attributed declaration starts at its attributes
    public class Store<T> : Base, IRepository<T> // {{REF type Base}} {{REF type IRepository}}
    {
        public const int MaxItems = 10; // {{DEF field MaxItems}}
        private readonly List<T> items = new List<T>(), spare; // {{DEF field items}} {{DEF field spare}} {{REF call List}}
        public string Name { get; set; } // {{DEF field Name}}
        public event EventHandler Changed; // {{DEF field Changed}} {{REF type EventHandler}}

        public Store(string name) : base(name) { } // {{DEF method Store}}

        public T Find(int id) // {{CONTEXT}} {{DEF method Find}}
        {
            // {{CURSOR}}
            return items.Find(item => Equals(item, id)); // {{REF call Find}} {{REF call Equals}}
        }
    }
}

// {{TEST lambda and local function}}
namespace App.Tools // {{CONTEXT}} {{DEF module App.Tools}}
{
    public struct Point // {{CONTEXT}} {{DEF class Point}}
    {
        public int X; // {{DEF field X}}

        public int Scale(int factor) // {{CONTEXT}} {{DEF method Scale}}
        {
            int Clamp(int value) // {{CONTEXT}} {{DEF function Clamp}}
            {
                Func<int, int> abs = v => // {{CONTEXT}} {{REF type Func}}
                {
                    return Abs(v); // {{CURSOR}} {{REF call Abs}}
                };
                return Max(abs(value), 0);
            }
            return Clamp(X * factor);
        }
    }

    public enum Kind { Empty, Full } // {{DEF enum Kind}} {{DEF constant Empty}} {{DEF constant Full}}

    public record Person(string Name); // {{DEF class Person}}

    delegate void Handler(int value); // {{DEF type Handler}}
}

// {{TEST property accessor}}
public class Settings // {{CONTEXT}} {{DEF class Settings}}
{
    private int size; // {{DEF field size}}

    public int Size // {{CONTEXT}} {{DEF field Size}}
    {
        get { return size; } // {{CURSOR}}
        set { size = value; }
    }
}
